package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.L2Entry;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Allocates every cluster of a new disk as {@code qemu-img create -o preallocation=} does: L2
 * tables and data clusters (each L2 table followed by its data clusters), entries normal and
 * COPIED (with extended L2: host offset set, no subcluster allocated).
 */
final class Preallocator {
  private final Qcow2Disk disk;
  private final ClusterAllocator allocator;
  private final TableUpdater tables;
  private final WriteBarrier barrier;
  private final ClusterGeometry g;

  Preallocator(Qcow2Disk disk, ClusterAllocator allocator, TableUpdater tables,
      WriteBarrier barrier, ClusterGeometry geometry) {
    this.disk = disk;
    this.allocator = allocator;
    this.tables = tables;
    this.barrier = barrier;
    this.g = geometry;
  }

  /**
   * With {@code writeZeros} the data clusters are written with zeros; otherwise the file is only
   * extended to cover them. Flushed and forced at the end.
   */
  void preallocate(boolean writeZeros) throws IOException {
    HostFile image = disk.imageFile();
    HostFile data = disk.dataFile();
    boolean externalData = disk.layout().externalData();
    int clusterBits = g.clusterBits();
    int l2Bits = g.l2Bits();
    long size = disk.size();
    long count = (size + g.clusterMask()) >>> clusterBits;
    long tableCount = g.l1Entries(size);
    int perTable = 1 << l2Bits;
    long end = image.size();
    for (long t = 0; t < tableCount; t++) {
      barrier.ensureCacheRoom();
      long[] table = tables.writableL2(t);
      long first = t << l2Bits;
      int n = (int) Math.min(perTable, count - first);
      long host = externalData ? first << clusterBits : allocator.allocate(n);
      for (int k = 0; k < n; k++) {
        long h = externalData ? (first + k) << clusterBits : host + ((long) k << clusterBits);
        if (g.extended()) {
          table[2 * k] = h | L2Entry.COPIED;
          table[2 * k + 1] = 0;
        } else {
          table[k] = h | L2Entry.COPIED;
        }
      }
      if (!externalData) {
        end = Math.max(end, host + ((long) n << clusterBits));
        if (writeZeros) {
          writeZeroBytes(image, host, (long) n << clusterBits);
        }
      }
    }
    if (externalData) {
      if (writeZeros) {
        writeZeroBytes(data, 0, size);
      } else if (data.size() < size) {
        data.truncate(size);
      }
    } else if (image.size() < end) {
      image.truncate(end);
    }
    barrier.flushAndForce();
  }

  /**
   * Preallocates the clusters a resize added, as {@code qemu-img resize --preallocation=} does
   * (observed with {@code qemu-img map}): from the cluster holding {@code oldSize} to the end,
   * the unallocated entries of each L2 table get one contiguous run of new clusters; {@code
   * zeroFlag} (metadata, v3 without extended L2) marks them preallocated zero clusters, {@code writeZeros} (full)
   * writes them; the file is extended over them in every mode. Flushed and forced at the end.
   */
  void preallocateGrown(long oldSize, boolean zeroFlag, boolean writeZeros) throws IOException {
    HostFile image = disk.imageFile();
    int clusterBits = g.clusterBits();
    int l2Bits = g.l2Bits();
    long size = disk.size();
    long firstCluster = oldSize >>> clusterBits;
    long count = (size + g.clusterMask()) >>> clusterBits;
    int perTable = 1 << l2Bits;
    long end = image.size();
    for (long t = firstCluster >>> l2Bits; t < g.l1Entries(size); t++) {
      barrier.ensureCacheRoom();
      long[] table = tables.writableL2(t);
      long first = Math.max(firstCluster, t << l2Bits);
      long last = Math.min(count, (t + 1) << l2Bits);
      int need = 0;
      for (long c = first; c < last; c++) {
        if (table[g.wordIndex((int) (c & (perTable - 1)))] == 0) {
          need++;
        }
      }
      if (need == 0) {
        continue;
      }
      long host = allocator.allocate(need);
      long h = host;
      for (long c = first; c < last; c++) {
        int wi = g.wordIndex((int) (c & (perTable - 1)));
        if (table[wi] != 0) {
          continue;
        }
        if (g.extended()) {
          table[wi] = h | L2Entry.COPIED;
          table[wi + 1] = 0; // as qemu-img: host cluster set, no subcluster allocated
        } else {
          table[wi] = h | L2Entry.COPIED | (zeroFlag ? L2Entry.ZERO_FLAG : 0);
        }
        h += 1L << clusterBits;
      }
      end = Math.max(end, h);
      if (writeZeros) {
        writeZeroBytes(image, host, h - host);
      }
    }
    if (image.size() < end) {
      image.truncate(end);
    }
    barrier.flushAndForce();
  }

  private void writeZeroBytes(HostFile f, long at, long length) throws IOException {
    ByteBuffer z = ByteBuffer.allocate((int) Math.min(length, g.clusterSize()));
    for (long done = 0; done < length; ) {
      int n = (int) Math.min(z.capacity(), length - done);
      z.clear().limit(n);
      f.write(z, at + done);
      done += n;
    }
  }
}
