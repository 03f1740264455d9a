package io.github.qcow2nio.ext4.read;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;

/**
 * The bytes the file system lives in, read at absolute offsets. A {@link FileChannel} reads
 * positionally and in parallel; any other {@link SeekableByteChannel} (a zip entry, say) is read
 * under one lock, position and read together.
 */
public final class BlockDevice implements Closeable {
  private final SeekableByteChannel channel;
  private final FileChannel fileChannel;
  private final long size;

  public BlockDevice(SeekableByteChannel channel) throws IOException {
    this.channel = channel;
    this.fileChannel = channel instanceof FileChannel fc ? fc : null;
    this.size = channel.size();
  }

  public long size() {
    return size;
  }

  /** Fills {@code dst} from byte {@code offset}; the bytes must exist. */
  public void readFully(ByteBuffer dst, long offset) throws IOException {
    if (offset < 0 || offset > size || dst.remaining() > size - offset) {
      throw new Ext4CorruptException("device read", offset, dst.remaining()
          + " bytes within the device's " + size + " bytes");
    }
    long pos = offset;
    if (fileChannel != null) {
      while (dst.hasRemaining()) {
        int n = fileChannel.read(dst, pos);
        if (n < 0) {
          throw new EOFException("device ended at byte " + pos + ", before " + size);
        }
        pos += n;
      }
      return;
    }
    synchronized (channel) {
      channel.position(pos);
      while (dst.hasRemaining()) {
        if (channel.read(dst) < 0) {
          throw new EOFException("device ended at byte " + channel.position() + ", before "
              + size);
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
