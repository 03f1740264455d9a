package io.github.qcow2nio.bench;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.struct.ClusterType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Run by {@link MemoryRows} in a child JVM with {@code -Xmx64m}: opens the sparse image with the
 * default options, maps it, and streams it (reads every data run in 1 MiB reads, in disk order,
 * as a sparse-aware copy does: reading the holes too would measure memset for hours), then prints
 * the heap the open image retains: once opened, and after the reads (the growth is the caches). A cache that ignored its budget would need 64 MiB of L2 tables
 * here, more than the heap: the child would die of an OutOfMemoryError.
 */
public final class SparseChild {
  private static final int MIB = 1 << 20;

  private SparseChild() {}

  public static void main(String[] args) throws IOException {
    Path image = Path.of(args[0]);
    warmUp(image);
    long before = usedAfterGc();
    long runs = 0;
    long dataBytes = 0;
    ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
    try (Qcow2Image img = Qcow2Image.open(image)) {
      long opened = usedAfterGc() - before;
      VirtualDisk disk = img.disk();
      long size = disk.size();
      for (long off = 0; off < size; ) {
        Extent e = disk.blockStatus(off, size - off);
        if (e.type() == ClusterType.NORMAL || e.type() == ClusterType.COMPRESSED) {
          for (long at = e.start(); at < e.end(); at += MIB) {
            buf.clear().limit((int) Math.min(MIB, e.end() - at));
            disk.read(buf, at);
            dataBytes += buf.position();
          }
        }
        off = e.end();
        runs++;
      }
      long retained = usedAfterGc() - before;
      System.out.printf(Locale.ROOT,
          "ok runs=%d dataBytes=%d openBytes=%d retainedBytes=%d l1Bytes=%d maxHeap=%d%n",
          runs, dataBytes, opened, retained, (long) img.header().l1Size() * 8,
          Runtime.getRuntime().maxMemory());
    }
  }

  /**
   * Opens the image once, maps and reads its first runs, and closes it: the classes the
   * measured pass loads (and the static state the JDK sets up on first use) are then in the
   * heap before the baseline, so that the growth measured is the open image's own.
   */
  private static void warmUp(Path image) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(64 << 10);
    try (Qcow2Image img = Qcow2Image.open(image)) {
      VirtualDisk disk = img.disk();
      long off = 0;
      for (int i = 0; i < 4 && off < disk.size(); i++) {
        Extent e = disk.blockStatus(off, disk.size() - off);
        if (e.type() == ClusterType.NORMAL) {
          disk.read(buf.clear(), e.start());
        }
        off = e.end();
      }
    }
  }

  private static long usedAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
