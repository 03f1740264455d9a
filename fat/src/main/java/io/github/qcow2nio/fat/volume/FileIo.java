package io.github.qcow2nio.fat.volume;

import io.github.qcow2nio.fat.FatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * The contents of open files: reads and writes through their cluster chains (runs of adjacent
 * clusters go to the device in one call), growth by allocation with the gap zeroed, and
 * truncation that frees the tail. Each call holds the volume's monitor.
 */
public final class FileIo {
  /** FAT stores sizes in 32 bits. */
  public static final long MAX_FILE_SIZE = 0xFFFFFFFFL;

  private final FatVolume volume;

  FileIo(FatVolume volume) {
    this.volume = volume;
  }

  public long size(FileHandle h) {
    synchronized (volume) {
      return h.entry.size();
    }
  }

  /** Reads from {@code pos}; -1 at or past the end. */
  public int read(FileHandle h, long pos, ByteBuffer dst) throws IOException {
    synchronized (volume) {
      long size = h.entry.size();
      if (pos >= size) {
        return dst.hasRemaining() ? -1 : 0;
      }
      int n = (int) Math.min(dst.remaining(), size - pos);
      ByteBuffer part = dst.slice(dst.position(), n);
      transfer(h, pos, part, false);
      dst.position(dst.position() + n);
      return n;
    }
  }

  /** Writes at {@code pos}, growing the file (zeros fill any gap) and stamping its write time. */
  public int write(FileHandle h, long pos, ByteBuffer src, Instant now) throws IOException {
    synchronized (volume) {
      int n = src.remaining();
      long end = pos + n;
      if (end > MAX_FILE_SIZE) {
        throw new IOException("a FAT file holds at most " + MAX_FILE_SIZE + " bytes");
      }
      long size = h.entry.size();
      ensureCapacity(h, Math.max(end, size));
      if (pos > size) {
        zero(h, size, pos);
      }
      transfer(h, pos, src.slice(src.position(), n), true);
      src.position(src.position() + n);
      volume.fat().writeDirty();
      ShortEntry e = h.entry.withSize(Math.max(size, end))
          .withWritten(DosTime.date(now), DosTime.time(now))
          .withAccessed(DosTime.date(now))
          .withAttributes(h.entry.attributes() | ShortEntry.ARCHIVE);
      // Within one two-second tick of a rewrite in place nothing in the entry changes.
      if (!e.equals(h.entry)) {
        h.entry = e;
        volume.writeEntry(h);
      }
      return n;
    }
  }

  /** Cuts the file to {@code size} when it is longer, freeing the clusters past it. */
  public void truncate(FileHandle h, long size, Instant now) throws IOException {
    synchronized (volume) {
      if (size >= h.entry.size()) {
        return;
      }
      int cs = volume.clusterSize();
      int keep = (int) ((size + cs - 1) / cs);
      if (keep < h.length) {
        FatTable fat = volume.fat();
        if (keep > 0) {
          fat.set(h.chain[keep - 1], fat.endOfChain());
        }
        fat.free(h.chain, keep, h.length);
        h.length = keep;
        if (keep == 0) {
          h.entry = h.entry.withCluster(0);
        }
      }
      h.entry = h.entry.withSize(size).withWritten(DosTime.date(now), DosTime.time(now))
          .withAttributes(h.entry.attributes() | ShortEntry.ARCHIVE);
      // The entry stops naming the tail first; then the FAT lets it go.
      volume.writeEntry(h);
      volume.fat().writeDirty();
    }
  }

  private void ensureCapacity(FileHandle h, long bytes) throws IOException {
    int cs = volume.clusterSize();
    long need = (bytes + cs - 1) / cs;
    if (need <= h.length) {
      return;
    }
    FatTable fat = volume.fat();
    if (need - h.length > fat.freeCount()) {
      throw new IOException("no space left on the FAT volume: " + (need - h.length)
          + " clusters needed, " + fat.freeCount() + " free");
    }
    if (need > h.chain.length) {
      // Doubling keeps a file written in small pieces from copying its chain each time.
      h.chain = Arrays.copyOf(h.chain, (int) Math.max(need, Math.min(2L * h.chain.length + 8,
          fat.entries())));
    }
    for (int i = h.length; i < need; i++) {
      long c = fat.allocate();
      if (i == 0) {
        h.entry = h.entry.withCluster(c);
      } else {
        fat.set(h.chain[i - 1], c);
      }
      h.chain[i] = c;
      h.length = i + 1;
    }
  }

  private void zero(FileHandle h, long from, long to) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(to - from, 1 << 16));
    for (long p = from; p < to; ) {
      int n = (int) Math.min(to - p, zeros.capacity());
      transfer(h, p, zeros.clear().limit(n), true);
      p += n;
    }
  }

  /** Moves {@code buf}'s bytes between the file at {@code pos} and the device, run by run. */
  private void transfer(FileHandle h, long pos, ByteBuffer buf, boolean write)
      throws IOException {
    int cs = volume.clusterSize();
    Device device = volume.device();
    while (buf.hasRemaining()) {
      int i = (int) (pos / cs);
      if (i >= h.length) {
        throw FatException.corrupt("cluster chain", 0,
            "a cluster for file offset " + pos);
      }
      long within = pos % cs;
      // Adjacent clusters go in one call, but the scan stops once the buffer is covered: a
      // small read of a big contiguous file must not walk the rest of it.
      int run = 1;
      while (i + run < h.length && h.chain[i + run] == h.chain[i] + run
          && (long) run * cs - within < buf.remaining()) {
        run++;
      }
      int n = (int) Math.min(buf.remaining(), (long) run * cs - within);
      ByteBuffer part = buf.slice(buf.position(), n);
      long at = volume.clusterOffset(h.chain[i]) + within;
      if (write) {
        device.writeFully(at, part);
      } else {
        device.readFully(at, part, "file data");
      }
      buf.position(buf.position() + n);
      pos += n;
    }
  }
}
