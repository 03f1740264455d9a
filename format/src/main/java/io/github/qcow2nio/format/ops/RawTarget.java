package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.struct.ClusterType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw file written by convert: bytes at their guest offsets. A new file is sized first, so
 * what is never written stays a hole; write-zeros writes real zeros, since Java cannot punch
 * holes.
 */
final class RawTarget implements VirtualDisk {
  private static final int ZERO_CHUNK = 1 << 20;
  private final FileChannel channel;
  private final String name;
  private final long size;
  /** Whether {@link #flush} forces the file: false as qemu-img's cache mode "unsafe". */
  private final boolean force;

  private RawTarget(FileChannel channel, String name, long size, boolean force) {
    this.channel = channel;
    this.name = name;
    this.size = size;
    this.force = force;
  }

  /** As below, never forced (qemu-img's cache mode "unsafe"). */
  static RawTarget create(Path path, long size) throws IOException {
    return create(path, size, false);
  }

  /**
   * A new (or emptied) file of {@code size} bytes that reads as zeros; {@code force} makes
   * {@link #flush} force it to stable storage.
   */
  static RawTarget create(Path path, long size, boolean force) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING);
    try {
      if (size > 0 && path.getFileSystem() == FileSystems.getDefault()) {
        // Extending the length leaves a hole: nothing of the file is allocated yet.
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
          f.setLength(size);
        }
      } else if (size > 0) {
        // Other providers: one byte at the end sizes the file.
        ch.write(ByteBuffer.allocate(1), size - 1);
      }
      return new RawTarget(ch, path.toString(), size, force);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
  }

  /** The existing file, as {@code convert -n} writes into it. */
  static RawTarget open(Path path, boolean force) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
    return new RawTarget(ch, path.toString(), ch.size(), force);
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public int read(ByteBuffer dst, long offset) throws IOException {
    return channel.read(dst, offset);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Extent blockStatus(long offset, long maxLength) {
    return new Extent(offset, Math.min(maxLength, size - offset), ClusterType.NORMAL, offset);
  }

  @Override
  public boolean isWritable() {
    return true;
  }

  @Override
  public void write(ByteBuffer src, long offset) throws IOException {
    long at = offset;
    while (src.hasRemaining()) {
      at += channel.write(src, at);
    }
  }

  @Override
  public void writeZeros(long offset, long length) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(length, ZERO_CHUNK));
    for (long done = 0; done < length; ) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), length - done));
      write(zeros, offset + done);
      done += zeros.limit();
    }
  }

  /**
   * Forces the file when asked to; otherwise nothing, as qemu-img's cache mode "unsafe": the
   * bytes reach the disk when the host writes them back.
   */
  @Override
  public void flush() throws IOException {
    if (force) {
      channel.force(false);
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
