package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Tables of 8-byte big-endian words read from the image file for a check, only as far as they
 * lie in the file: a table declared far larger than the file costs what the file holds.
 */
final class TableReader {
  private final HostFile file;
  private final long fileSize;

  TableReader(HostFile file, long fileSize) {
    this.file = file;
    this.fileSize = fileSize;
  }

  /** How many of a table's {@code n} 8-byte entries at {@code offset} lie in the file. */
  long wordsInFile(long offset, long n) {
    if (n <= 0 || offset < 0 || offset >= fileSize || (offset & 7) != 0) {
      return 0;
    }
    return Math.min(n, (fileSize - offset + 7) / 8);
  }

  @FunctionalInterface
  interface Word {
    void accept(long word, long value) throws IOException;
  }

  /** The big-endian words [start, end) of the file (in 8-byte units), read in chunks. */
  void readWords(long start, long end, Word w) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 * (int) Math.min(8192, end - start));
    for (long at = start; at < end; ) {
      int n = (int) Math.min(b.capacity() / 8, end - at);
      b.clear().limit(8 * n);
      file.readOrZero(b, at << 3);
      for (int i = 0; i < n; i++) {
        w.accept(at + i, b.getLong(8 * i));
      }
      at += n;
    }
  }

  /** {@code n} big-endian longs at {@code offset}; past the end of the file they read as 0. */
  long[] readLongs(long offset, long n) throws IOException {
    if (n <= 0) {
      return new long[0];
    }
    if (n > Qcow2Limits.MAX_L1_ENTRIES * 2) {
      throw new IOException("table of " + n + " entries at " + offset + " is too large");
    }
    // Only what lies in the file is read and held: a table declared far larger than the file
    // (a snapshot's L1 of 32 MiB on a 10 KiB image) must not cost its declared size in memory.
    // The length stays even so that extended L2 entries (pairs) remain whole.
    long inFile = offset < 0 || offset >= fileSize ? 0 : (fileSize - offset + 7) / 8;
    int len = (int) Math.min(n, (inFile + 1) & ~1L);
    if (len == 0) {
      return new long[0];
    }
    ByteBuffer b = ByteBuffer.allocate(8 * len);
    file.readOrZero(b, offset);
    b.flip();
    long[] out = new long[len];
    b.asLongBuffer().get(out);
    return out;
  }
}
