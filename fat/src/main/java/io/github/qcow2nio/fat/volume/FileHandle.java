package io.github.qcow2nio.fat.volume;

/**
 * The shared state of an open file: its short entry and cluster chain as the volume last wrote
 * them. Every channel on the same file shares one; the volume moves it along when the file is
 * renamed. Guarded by the volume's lock.
 */
public final class FileHandle {
  long dirCluster;
  int shortSlot;
  ShortEntry entry;
  /** The file's clusters in {@code chain[0..length)}; the array grows by doubling. */
  long[] chain;
  int length;
  int opens;

  FileHandle(Node node, long[] chain) {
    this.dirCluster = node.dirCluster();
    this.shortSlot = node.shortSlot();
    this.entry = node.entry();
    this.chain = chain;
    this.length = chain.length;
  }

  Object key() {
    return dirCluster + ":" + shortSlot;
  }
}
