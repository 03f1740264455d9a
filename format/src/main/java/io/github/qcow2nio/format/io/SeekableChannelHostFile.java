package io.github.qcow2nio.format.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * A host file over a {@link SeekableByteChannel} that has no positional I/O (zipfs entries, for
 * example): position and transfer happen together under one lock.
 */
final class SeekableChannelHostFile implements HostFile {
  private final String name;
  private final SeekableByteChannel channel;
  private final boolean writable;

  public SeekableChannelHostFile(String name, SeekableByteChannel channel, boolean writable) {
    this.name = name;
    this.channel = channel;
    this.writable = writable;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  @Override
  public synchronized int read(ByteBuffer dst, long position) throws IOException {
    if (position >= channel.size()) {
      return 0;
    }
    channel.position(position);
    int start = dst.position();
    while (dst.hasRemaining()) {
      if (channel.read(dst) < 0) {
        break;
      }
    }
    return dst.position() - start;
  }

  @Override
  public synchronized void write(ByteBuffer src, long position) throws IOException {
    long size = channel.size();
    if (position > size) {
      // Some channels refuse to write past their end; fill the gap explicitly.
      channel.position(size);
      Buffers.writeZeros(channel, position - size);
    }
    channel.position(position);
    while (src.hasRemaining()) {
      channel.write(src);
    }
  }

  @Override
  public synchronized long size() throws IOException {
    return channel.size();
  }

  @Override
  public synchronized void truncate(long size) throws IOException {
    long current = channel.size();
    if (size < current) {
      channel.truncate(size);
    } else if (size > current) {
      channel.position(current);
      Buffers.writeZeros(channel, size - current);
    }
  }

  @Override
  public void force() {
    // A SeekableByteChannel has no force; its provider decides durability on close.
  }

  @Override
  public synchronized void close() throws IOException {
    channel.close();
  }

  @Override
  public String toString() {
    return name;
  }
}
