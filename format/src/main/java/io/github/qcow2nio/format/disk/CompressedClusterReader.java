package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.codec.ClusterCodec;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Guest bytes of compressed clusters: the compressed cluster descriptor's host sectors read and
 * decompressed into a whole cluster.
 *
 * <p>Guests read a compressed cluster in pieces smaller than the cluster, and each piece would
 * otherwise decompress all of it again, so every thread keeps the cluster it decompressed last.
 */
final class CompressedClusterReader {
  private final Qcow2Disk disk;
  private final HostFile image;
  private final ClusterCodec codec;
  private final int clusterBits;
  private final long clusterMask;
  private final ThreadLocal<Cached> cached;
  /** Bumped whenever compressed bytes are freed, so no thread serves a stale decompressed copy. */
  private volatile long generation;

  /** The last compressed cluster this thread decompressed, kept for the next small read. */
  private static final class Cached {
    final byte[] in;
    final byte[] out;
    long word = -1;
    long generation;

    Cached(int clusterBits) {
      in = new byte[(1 << clusterBits) * 2 + 512];
      out = new byte[1 << clusterBits];
    }
  }

  /** @param disk names the L2 entry in corruption errors */
  CompressedClusterReader(Qcow2Disk disk, HostFile image, ClusterCodec codec, int clusterBits) {
    this.disk = disk;
    this.image = image;
    this.codec = codec;
    this.clusterBits = clusterBits;
    this.clusterMask = (1L << clusterBits) - 1;
    this.cached = ThreadLocal.withInitial(() -> new Cached(clusterBits));
  }

  /**
   * Compressed bytes were freed and their host sectors may be reused: every thread's copy is
   * stale. Called under the disk's write lock, so the increment never races another.
   */
  void invalidate() {
    generation++;
  }

  /**
   * Puts {@code len} guest bytes from {@code pos} on, inside the compressed cluster described by
   * L2 entry {@code word} (entry {@code idx} of the table at {@code l1Index}), into {@code dst}.
   */
  void read(ByteBuffer dst, long word, long l1Index, int idx, long pos, int len)
      throws IOException {
    Cached c = cached.get();
    long gen = generation;
    if (c.word != word || c.generation != gen) {
      c.word = -1;
      CompressedDescriptor d = CompressedDescriptor.decode(word, clusterBits);
      // At end of file not one byte of the stream exists: the descriptor is wrong, not the data.
      if (d.offset() == 0 || d.offset() >= image.size()) {
        throw disk.corrupt(l1Index, idx, "compressed data offset 0x"
            + Long.toHexString(d.offset()) + " lies outside " + image.name());
      }
      int length = d.readLength();
      // The sectors may run past EOF; QEMU reads that part as zeros, and a stream may need them
      // (a zstd frame can end in a zero byte that a writer trimmed away), so do the same.
      image.readOrZero(ByteBuffer.wrap(c.in, 0, length), d.offset());
      try {
        codec.decompress(c.in, length, c.out, 1 << clusterBits);
      } catch (IOException e) {
        throw new CorruptImageException("compressed cluster (L2 entry " + idx + ", L1 index "
            + l1Index + ")", d.offset(), e.getMessage(), e);
      }
      c.word = word;
      c.generation = gen;
    }
    dst.put(c.out, (int) (pos & clusterMask), len);
  }
}
