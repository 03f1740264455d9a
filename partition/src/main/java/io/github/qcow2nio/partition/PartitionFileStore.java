package io.github.qcow2nio.partition;

import java.nio.file.FileStore;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;

/** The one store of a partition file system: its disk. Total space is the disk's size. */
final class PartitionFileStore extends FileStore {
  private final PartitionFileSystem fs;

  PartitionFileStore(PartitionFileSystem fs) {
    this.fs = fs;
  }

  @Override
  public String name() {
    return fs.diskPath().toString();
  }

  @Override
  public String type() {
    return fs.table().scheme().name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public boolean isReadOnly() {
    return fs.isReadOnly();
  }

  @Override
  public long getTotalSpace() {
    fs.checkOpen();
    return fs.table().diskSize();
  }

  @Override
  public long getUsableSpace() {
    return 0;
  }

  @Override
  public long getUnallocatedSpace() {
    return 0;
  }

  @Override
  public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
    return type == BasicFileAttributeView.class || type == PartitionFileAttributeView.class;
  }

  @Override
  public boolean supportsFileAttributeView(String name) {
    return fs.supportedFileAttributeViews().contains(name);
  }

  @Override
  public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
    return null;
  }

  @Override
  public Object getAttribute(String attribute) {
    throw new UnsupportedOperationException("file store attribute '" + attribute + "'");
  }

  @Override
  public String toString() {
    return name() + " (" + type() + ")";
  }
}
