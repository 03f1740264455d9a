package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.CompareOptions;
import io.github.qcow2nio.format.CompareResult;
import io.github.qcow2nio.format.CompareResult.Outcome;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * {@code qemu-img compare}: walks both disks by block status, skips ranges both read as zeros
 * without data, compares the rest, and names the first differing 512-byte sector. Disks of
 * different sizes are equal when the common part is and the longer disk's tail reads as zeros
 * (qemu-img warns); strict mode calls a size or an allocation difference a mismatch.
 */
public final class Compare {
  private static final int SECTOR = 512;

  private Compare() {}

  public static CompareResult run(CompareOptions o, ProgressListener listener)
      throws IOException {
    try (SourceChain a = SourceChain.open(o.first());
        SourceChain b = SourceChain.open(o.second())) {
      return compare(a, b, o.strict(), listener);
    }
  }

  private static CompareResult compare(SourceChain a, SourceChain b, boolean strict,
      ProgressListener listener) throws IOException {
    long size1 = a.size();
    long size2 = b.size();
    long common = Math.min(size1, size2);
    long total = Math.max(size1, size2);
    if (strict && size1 != size2) {
      return new CompareResult(Outcome.SIZE_MISMATCH, -1, false);
    }
    ChainStatus s1 = new ChainStatus(a);
    ChainStatus s2 = new ChainStatus(b);
    ByteBuffer buf1 = ByteBuffer.allocate((int) Math.min(Convert.CHUNK, Math.max(total, 1)));
    ByteBuffer buf2 = ByteBuffer.allocate(buf1.capacity());
    long offset = 0;
    listener.progress(0, total);
    while (offset < common) {
      Convert.checkCancelled(listener);
      ChainStatus.Run r1 = s1.at(offset, size1 - offset);
      ChainStatus.Run r2 = s2.at(offset, size2 - offset);
      long chunk = Math.min(r1.length(), r2.length());
      if (strict && !r1.sameStatus(r2, size1, size2)) {
        return new CompareResult(Outcome.STATUS_MISMATCH, offset, false);
      }
      if (r1.zero() && r2.zero()) {
        // Both read as zeros: nothing to compare.
      } else if (r1.allocated() == r2.allocated()) {
        if (r1.allocated()) {
          chunk = Math.min(chunk, Convert.CHUNK);
          long differ = firstDifference(a.disk(), b.disk(), offset, (int) chunk, buf1, buf2);
          if (differ >= 0) {
            return new CompareResult(Outcome.CONTENT_MISMATCH, differ, false);
          }
        }
      } else {
        chunk = Math.min(chunk, Convert.CHUNK);
        long nonzero = firstNonZero(r1.allocated() ? a.disk() : b.disk(), offset, (int) chunk,
            buf1);
        if (nonzero >= 0) {
          return new CompareResult(Outcome.CONTENT_MISMATCH, nonzero, false);
        }
      }
      offset += chunk;
      listener.progress(offset, total);
    }
    if (size1 != size2) {
      SourceChain over = size1 > size2 ? a : b;
      ChainStatus s = size1 > size2 ? s1 : s2;
      while (offset < total) {
        Convert.checkCancelled(listener);
        ChainStatus.Run r = s.at(offset, total - offset);
        long chunk = r.length();
        if (r.allocated() && !r.zero()) {
          chunk = Math.min(chunk, Convert.CHUNK);
          long nonzero = firstNonZero(over.disk(), offset, (int) chunk, buf1);
          if (nonzero >= 0) {
            return new CompareResult(Outcome.CONTENT_MISMATCH, nonzero, true);
          }
        }
        offset += chunk;
        listener.progress(offset, total);
      }
      return new CompareResult(Outcome.IDENTICAL, -1, true);
    }
    return new CompareResult(Outcome.IDENTICAL, -1, false);
  }

  /** The start of the first 512-byte sector (counted from {@code offset}) that differs, or -1. */
  private static long firstDifference(VirtualDisk d1, VirtualDisk d2, long offset, int length,
      ByteBuffer b1, ByteBuffer b2) throws IOException {
    read(d1, offset, length, b1);
    read(d2, offset, length, b2);
    for (int at = 0; at < length; at += SECTOR) {
      int end = Math.min(length, at + SECTOR);
      if (!b1.slice(at, end - at).equals(b2.slice(at, end - at))) {
        return offset + at;
      }
    }
    return -1;
  }

  /** The start of the first 512-byte sector (from {@code offset}) holding a non-zero byte. */
  private static long firstNonZero(VirtualDisk d, long offset, int length, ByteBuffer b)
      throws IOException {
    read(d, offset, length, b);
    for (int at = 0; at < length; at++) {
      if (b.get(at) != 0) {
        return offset + at / SECTOR * SECTOR;
      }
    }
    return -1;
  }

  private static void read(VirtualDisk d, long offset, int length, ByteBuffer b)
      throws IOException {
    b.clear().limit(length);
    if (offset < d.size()) {
      d.read(b, offset);
    }
    // Past the end of a raw file (inside its last sector) the disk reads zeros.
    while (b.hasRemaining()) {
      b.put((byte) 0);
    }
    b.flip();
  }
}
