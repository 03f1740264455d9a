package io.github.qcow2nio.fat.volume;

/**
 * A file or directory as found by a lookup: a snapshot of its short entry and where it lies. The
 * root has no entry.
 *
 * @param dirCluster the cluster of the directory holding it (0 for the FAT12/16 root region)
 */
public record Node(String name, ShortEntry entry, long dirCluster, int firstSlot, int shortSlot) {
  static Node root() {
    return new Node("", null, -1, -1, -1);
  }

  public boolean isRoot() {
    return entry == null;
  }

  public boolean isDirectory() {
    return entry == null || entry.isDirectory();
  }

  public long size() {
    return entry == null || entry.isDirectory() ? 0 : entry.size();
  }

  /** A stable identity while the file is not moved: where its short entry is. */
  public Object key() {
    return isRoot() ? "/" : dirCluster + ":" + shortSlot;
  }
}
