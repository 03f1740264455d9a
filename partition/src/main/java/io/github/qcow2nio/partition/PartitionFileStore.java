package io.github.qcow2nio.partition;

import io.github.qcow2nio.nio.NestedFileStore;
import java.util.Locale;

/** The one store of a partition file system: its disk. Total space is the disk's size. */
final class PartitionFileStore extends NestedFileStore {
  private final PartitionFileSystem fs;

  PartitionFileStore(PartitionFileSystem fs) {
    super(fs);
    this.fs = fs;
  }

  @Override
  public String name() {
    return fs.diskPath().toString();
  }

  @Override
  public String type() {
    return fs.table().scheme().name().toLowerCase(Locale.ROOT);
  }

  @Override
  public long getTotalSpace() {
    fs.checkOpen();
    return fs.table().diskSize();
  }
}
