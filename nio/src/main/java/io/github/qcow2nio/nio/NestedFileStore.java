package io.github.qcow2nio.nio;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;

/**
 * The one store of a {@link NestedFileSystem}: read-only with it, supporting the views its
 * provider offers, with no store attribute views. A subclass gives its name, type and space;
 * a store whose content is fixed (an image's disks, a table's partitions) has nothing to
 * allocate, so its usable and unallocated space are 0 unless it says otherwise.
 */
public abstract class NestedFileStore extends FileStore {
  private final NestedFileSystem<?> fs;

  protected NestedFileStore(NestedFileSystem<?> fs) {
    this.fs = fs;
  }

  @Override
  public final boolean isReadOnly() {
    return fs.isReadOnly();
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
  public final boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
    return fs.owner().attributeViews().byType().containsKey(type);
  }

  @Override
  public final boolean supportsFileAttributeView(String name) {
    return fs.supportedFileAttributeViews().contains(name);
  }

  @Override
  public final <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
    return null;
  }

  @Override
  public Object getAttribute(String attribute) throws IOException {
    throw new UnsupportedOperationException("file store attribute '" + attribute + "'");
  }

  @Override
  public String toString() {
    return name() + " (" + type() + ")";
  }
}
