package io.github.qcow2nio.fat.volume;

import io.github.qcow2nio.fat.FatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;

/**
 * Positional reads and writes on the file holding a volume. A {@link FileChannel} (a raw file,
 * a qcow2 disk, a partition) is used positionally; any other channel (jimfs, zip) is positioned
 * and read under one lock, so that callers on several threads never interleave a seek and a read.
 */
public final class Device implements AutoCloseable {
  private final SeekableByteChannel channel;
  private final FileChannel fileChannel;
  private final boolean writable;

  public Device(SeekableByteChannel channel, boolean writable) {
    this.channel = channel;
    this.fileChannel = channel instanceof FileChannel fc ? fc : null;
    this.writable = writable;
  }

  public boolean isWritable() {
    return writable;
  }

  public long size() throws IOException {
    return channel.size();
  }

  /** Fills {@code dst} from {@code pos}; the end of the file there is a corrupt-volume error. */
  public void readFully(long pos, ByteBuffer dst, String what) throws IOException {
    long p = pos;
    if (fileChannel != null) {
      while (dst.hasRemaining()) {
        int n = fileChannel.read(dst, p);
        if (n < 0) {
          throw FatException.corrupt(what, pos, "data before the end of the device at " + p);
        }
        p += n;
      }
      return;
    }
    synchronized (channel) {
      channel.position(p);
      while (dst.hasRemaining()) {
        if (channel.read(dst) < 0) {
          throw FatException.corrupt(what, pos, "data before the end of the device");
        }
      }
    }
  }

  public void writeFully(long pos, ByteBuffer src) throws IOException {
    if (!writable) {
      throw new IOException("the FAT device is read-only");
    }
    long p = pos;
    if (fileChannel != null) {
      while (src.hasRemaining()) {
        p += fileChannel.write(src, p);
      }
      return;
    }
    synchronized (channel) {
      channel.position(p);
      while (src.hasRemaining()) {
        channel.write(src);
      }
    }
  }

  public void force() throws IOException {
    if (fileChannel != null && writable) {
      fileChannel.force(false);
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
