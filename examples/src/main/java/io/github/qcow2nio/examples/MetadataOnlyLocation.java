package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An image file whose companion files (the external data file) are not opened: {@code info} only
 * reads metadata, and qemu-img info reports an image whose data file is missing all the same.
 * Any I/O on a companion file fails with a message saying so.
 */
final class MetadataOnlyLocation implements ImageLocation {
  private final ImageLocation image;

  MetadataOnlyLocation(ImageLocation image) {
    this.image = image;
  }

  @Override
  public String displayName() {
    return image.displayName();
  }

  @Override
  public Object identity() throws IOException {
    return image.identity();
  }

  @Override
  public HostFile open(boolean writable) throws IOException {
    return image.open(writable);
  }

  @Override
  public ImageLocation resolve(String name) {
    return new ImageLocation() {
      @Override
      public String displayName() {
        return name;
      }

      @Override
      public Object identity() {
        return this;
      }

      @Override
      public HostFile open(boolean writable) {
        return new Unopened(name);
      }

      @Override
      public ImageLocation resolve(String other) {
        return MetadataOnlyLocation.this.resolve(other);
      }
    };
  }

  /** Stands in for a file that was deliberately not opened. */
  private record Unopened(String name) implements HostFile {
    private IOException notOpened() {
      return new IOException(name + ": not opened (image metadata only)");
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      throw notOpened();
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      throw notOpened();
    }

    @Override
    public long size() throws IOException {
      throw notOpened();
    }

    @Override
    public void truncate(long size) throws IOException {
      throw notOpened();
    }

    @Override
    public void force() {}

    @Override
    public boolean isWritable() {
      return false;
    }

    @Override
    public void close() {}
  }
}
