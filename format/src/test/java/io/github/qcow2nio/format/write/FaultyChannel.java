package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.io.PositionalTestChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;

/**
 * A positional {@link FileChannel} over a {@link FaultyLocation.File} that fails at the fault
 * point its file's {@link FaultyLocation.Crash} chooses. An interrupt behaves as the JDK's: the
 * thread's interrupt status is set, the channel closes, and {@link ClosedByInterruptException}
 * is thrown; the write itself may or may not have landed. Only what {@code FileChannelHostFile}
 * uses is supported.
 */
final class FaultyChannel extends PositionalTestChannel {
  private final FaultyLocation.File file;
  private final boolean writable;

  FaultyChannel(FaultyLocation.File file, boolean writable) {
    this.file = file;
    this.writable = writable;
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    ensureOpen();
    synchronized (file) {
      file.crash.check();
      if (position >= file.current.length) {
        return -1;
      }
      int n = (int) Math.min(dst.remaining(), file.current.length - position);
      dst.put(file.current, (int) position, n);
      return n;
    }
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    ensureOpen();
    if (!writable) {
      throw new NonWritableChannelException();
    }
    byte[] b = new byte[src.remaining()];
    src.get(b);
    FaultyLocation.Crash c = file.crash;
    synchronized (file) {
      if (c.atFaultPoint()) {
        switch (c.mode) {
          case IO_ERROR -> {
            // A torn write: some whole sectors may land before the error (disks write a 512-byte
            // sector whole or not at all, which qcow2's 8-byte entries rely on).
            int landed = 0;
            if (c.tornWrites && c.rnd.nextBoolean()) {
              long end = position + b.length;
              long cut = Math.min(end, ((position >>> 9) + 1 + c.rnd.nextInt(b.length / 512 + 1))
                  << 9);
              landed = (int) (cut - position);
            }
            if (landed > 0) {
              file.apply(java.util.Arrays.copyOf(b, landed), position);
            }
            throw new FaultyLocation.InjectedIoError(c.points - 1);
          }
          case INTERRUPT -> {
            if (c.rnd.nextBoolean()) {
              file.apply(b, position);
            }
            throw interrupt();
          }
          default -> throw new IllegalStateException(c.mode.toString());
        }
      }
      file.write(b, position);
    }
    return b.length;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    ensureOpen();
    FaultyLocation.Crash c = file.crash;
    synchronized (file) {
      if (c.crashAtNextForce) {
        c.crashed = true;
        throw new FaultyLocation.Crashed();
      }
      if (c.atFaultPoint()) {
        if (c.mode == FaultyLocation.Mode.INTERRUPT) {
          throw interrupt();
        }
        throw new FaultyLocation.InjectedIoError(c.points - 1);
      }
      file.force();
    }
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    ensureOpen();
    FaultyLocation.Crash c = file.crash;
    synchronized (file) {
      if (c.atFaultPoint()) {
        if (c.mode == FaultyLocation.Mode.INTERRUPT) {
          throw interrupt();
        }
        throw new FaultyLocation.InjectedIoError(c.points - 1);
      }
      if (size < file.current.length) {
        file.truncate(size);
      }
    }
    return this;
  }

  private ClosedByInterruptException interrupt() throws IOException {
    Thread.currentThread().interrupt();
    close();
    return new ClosedByInterruptException();
  }

  @Override
  public long size() throws IOException {
    ensureOpen();
    synchronized (file) {
      file.crash.check();
      return file.current.length;
    }
  }

  private void ensureOpen() throws ClosedChannelException {
    if (!isOpen()) {
      throw new ClosedChannelException();
    }
  }

  @Override
  protected void implCloseChannel() {}
}
