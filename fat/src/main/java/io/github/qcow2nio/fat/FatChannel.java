package io.github.qcow2nio.fat;

import io.github.qcow2nio.fat.volume.FileHandle;
import io.github.qcow2nio.fat.volume.FileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.time.Instant;

/**
 * A channel on one FAT file. Channels on the same file share its handle, so each sees the
 * others' writes and size; the volume's lock orders them.
 */
final class FatChannel implements SeekableByteChannel {
  private final FatFileSystem fs;
  private final FileHandle handle;
  private final FileIo io;
  private final OpenFlags flags;
  private final FatPath path;
  private long position;
  private boolean closed;

  FatChannel(FatFileSystem fs, FileHandle handle, OpenFlags flags, FatPath path) {
    this.fs = fs;
    this.handle = handle;
    this.io = fs.volume().io();
    this.flags = flags;
    this.path = path;
  }

  private void checkOpen() throws ClosedChannelException {
    if (closed) {
      throw new ClosedChannelException();
    }
  }

  @Override
  public synchronized int read(ByteBuffer dst) throws IOException {
    checkOpen();
    if (!flags.read()) {
      throw new NonReadableChannelException();
    }
    int n = io.read(handle, position, dst);
    if (n > 0) {
      position += n;
    }
    return n;
  }

  @Override
  public synchronized int write(ByteBuffer src) throws IOException {
    checkOpen();
    if (!flags.write()) {
      throw new NonWritableChannelException();
    }
    if (flags.append()) {
      position = io.size(handle);
    }
    int n = io.write(handle, position, src, Instant.now());
    position += n;
    if (flags.sync()) {
      fs.volume().flush();
    }
    return n;
  }

  @Override
  public synchronized long position() throws IOException {
    checkOpen();
    return position;
  }

  @Override
  public synchronized SeekableByteChannel position(long newPosition) throws IOException {
    checkOpen();
    if (newPosition < 0) {
      throw new IllegalArgumentException("negative position " + newPosition);
    }
    position = newPosition;
    return this;
  }

  @Override
  public synchronized long size() throws IOException {
    checkOpen();
    return io.size(handle);
  }

  @Override
  public synchronized SeekableByteChannel truncate(long size) throws IOException {
    checkOpen();
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    if (!flags.write()) {
      throw new NonWritableChannelException();
    }
    io.truncate(handle, size, Instant.now());
    position = Math.min(position, size);
    return this;
  }

  @Override
  public synchronized boolean isOpen() {
    return !closed;
  }

  @Override
  public void close() throws IOException {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    fs.unregister(this);
    if (!fs.isOpen()) {
      return;
    }
    fs.volume().close(handle);
    if (flags.deleteOnClose()) {
      fs.provider().delete(path);
    }
  }
}
