package io.github.qcow2nio.fat;

import io.github.qcow2nio.fat.volume.FatVolume;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;

/**
 * The volume as a store: space in whole data clusters, free space from the FAT's free count (the
 * same figure FSInfo carries on FAT32). Its name is the volume label.
 */
final class FatFileStore extends FileStore {
  private final FatFileSystem fs;

  FatFileStore(FatFileSystem fs) {
    this.fs = fs;
  }

  @Override
  public String name() {
    try {
      return fs.volume().label();
    } catch (IOException e) {
      return "";
    }
  }

  /** "fat12", "fat16" or "fat32". */
  @Override
  public String type() {
    return fs.volume().type().name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public boolean isReadOnly() {
    return fs.isReadOnly();
  }

  @Override
  public long getTotalSpace() {
    FatVolume v = fs.volume();
    return v.totalClusters() * v.clusterSize();
  }

  @Override
  public long getUsableSpace() {
    return fs.isReadOnly() ? 0 : getUnallocatedSpace();
  }

  @Override
  public long getUnallocatedSpace() {
    FatVolume v = fs.volume();
    return v.freeClusters() * v.clusterSize();
  }

  @Override
  public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
    return type == BasicFileAttributeView.class || type == DosFileAttributeView.class;
  }

  @Override
  public boolean supportsFileAttributeView(String name) {
    return fs.supportedFileAttributeViews().contains(name);
  }

  @Override
  public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
    return null;
  }

  /** The space figures by name, and "fat:clusterSize": bytes per cluster. */
  @Override
  public Object getAttribute(String attribute) throws IOException {
    return switch (attribute) {
      case "totalSpace" -> getTotalSpace();
      case "usableSpace" -> getUsableSpace();
      case "unallocatedSpace" -> getUnallocatedSpace();
      case "clusterSize", "fat:clusterSize" -> fs.volume().clusterSize();
      default -> throw new UnsupportedOperationException("file store attribute '" + attribute + "'");
    };
  }

  @Override
  public String toString() {
    return name() + " (" + type() + ")";
  }
}
