package io.github.qcow2nio.partition.table;

import io.github.qcow2nio.partition.PartitionTableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;

/**
 * Positional I/O on a disk file, thread-safe whatever channel is underneath: a {@link FileChannel}
 * has positional calls of its own; any other {@link SeekableByteChannel} moves its position and
 * reads under one lock, so two threads never see each other's position.
 */
public abstract class DiskAccess implements AutoCloseable {
  private final long size;

  DiskAccess(long size) {
    this.size = size;
  }

  /** Wraps {@code channel}; its size is read once (a partition table fixes the layout). */
  public static DiskAccess of(SeekableByteChannel channel) throws IOException {
    long size = channel.size();
    return channel instanceof FileChannel fc ? new FileChannelDisk(fc, size)
        : new LockedChannelDisk(channel, size);
  }

  /** The disk's size in bytes when it was opened. */
  public final long size() {
    return size;
  }

  /** Reads up to {@code dst.remaining()} bytes at {@code pos}; -1 at the end of the file. */
  public abstract int read(ByteBuffer dst, long pos) throws IOException;

  /** Writes all of {@code src} at {@code pos}. */
  public abstract void write(ByteBuffer src, long pos) throws IOException;

  /** Makes written bytes durable where the channel can (a {@code FileChannel}). */
  public abstract void force(boolean metaData) throws IOException;

  @Override
  public abstract void close() throws IOException;

  /**
   * {@code length} bytes at {@code pos}, little-endian (both tables are). Callers check that
   * they lie inside the disk's size; a file that is shorter than its size said (it shrank) is
   * a {@link PartitionTableException} too.
   */
  public final ByteBuffer readFully(long pos, int length) throws IOException {
    if (pos < 0 || length < 0 || pos > size - length) {
      throw new PartitionTableException("disk", pos, length + " bytes inside its " + size);
    }
    ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining()) {
      if (read(buf, pos + buf.position()) < 0) {
        throw new PartitionTableException("disk", pos + buf.position(),
            length + " bytes from " + pos + "; the file ends here");
      }
    }
    return buf.flip();
  }

  private static final class FileChannelDisk extends DiskAccess {
    private final FileChannel channel;

    FileChannelDisk(FileChannel channel, long size) {
      super(size);
      this.channel = channel;
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
      return channel.read(dst, pos);
    }

    @Override
    public void write(ByteBuffer src, long pos) throws IOException {
      long p = pos;
      while (src.hasRemaining()) {
        p += channel.write(src, p);
      }
    }

    @Override
    public void force(boolean metaData) throws IOException {
      channel.force(metaData);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  private static final class LockedChannelDisk extends DiskAccess {
    private final SeekableByteChannel channel;

    LockedChannelDisk(SeekableByteChannel channel, long size) {
      super(size);
      this.channel = channel;
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
      synchronized (channel) {
        channel.position(pos);
        return channel.read(dst);
      }
    }

    @Override
    public void write(ByteBuffer src, long pos) throws IOException {
      synchronized (channel) {
        channel.position(pos);
        while (src.hasRemaining()) {
          channel.write(src);
        }
      }
    }

    /** A plain channel has no force; its writes reach the file system when it is closed. */
    @Override
    public void force(boolean metaData) {
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
