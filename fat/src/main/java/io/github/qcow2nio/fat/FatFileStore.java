package io.github.qcow2nio.fat;

import io.github.qcow2nio.fat.volume.FatVolume;
import io.github.qcow2nio.nio.NestedFileStore;
import java.io.IOException;

/**
 * The volume as a store: space in whole data clusters, free space from the FAT's free count (the
 * same figure FSInfo carries on FAT32). Its name is the volume label.
 */
final class FatFileStore extends NestedFileStore {
  private final FatFileSystem fs;

  FatFileStore(FatFileSystem fs) {
    super(fs);
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
}
