package io.github.qcow2nio.provider;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;

/** The one store of a qcow2 file system: its image. Space is the active disk's virtual size. */
final class Qcow2FileStore extends FileStore {
  private final Qcow2FileSystem fs;

  Qcow2FileStore(Qcow2FileSystem fs) {
    this.fs = fs;
  }

  @Override
  public String name() {
    return fs.imagePath().toString();
  }

  @Override
  public String type() {
    return "qcow2";
  }

  @Override
  public boolean isReadOnly() {
    return fs.isReadOnly();
  }

  @Override
  public long getTotalSpace() throws IOException {
    fs.checkOpen();
    return fs.image().disk().size();
  }

  @Override
  public long getUsableSpace() throws IOException {
    return 0;
  }

  @Override
  public long getUnallocatedSpace() throws IOException {
    return 0;
  }

  @Override
  public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
    return type == BasicFileAttributeView.class || type == Qcow2FileAttributeView.class;
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
    return name() + " (qcow2)";
  }
}
