package io.github.qcow2nio.format.meta;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.struct.Header;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Rewrites single fields of a live header in place, each with one write of the adjacent bytes QEMU
 * also writes together (so a crash leaves either the old or the new pair, never half of each), and
 * keeps the in-memory {@link Header} in step. Every other byte of cluster 0 is left alone, so
 * fields and extensions this library does not interpret survive.
 */
public final class HeaderUpdater {
  private final HostFile file;
  private volatile Header header;

  public HeaderUpdater(HostFile file, Header header) {
    this.file = file;
    this.header = header;
  }

  public Header header() {
    return header;
  }

  /** l1_size and l1_table_offset: 12 bytes at 36. */
  public synchronized void setL1Table(int l1Size, long l1Offset) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(12).putInt(l1Size).putLong(l1Offset).flip();
    file.write(b, 36);
    header = header.withL1Table(l1Size, l1Offset);
  }

  /** refcount_table_offset and refcount_table_clusters: 12 bytes at 48. */
  public synchronized void setRefcountTable(long offset, int clusters) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(12).putLong(offset).putInt(clusters).flip();
    file.write(b, 48);
    header = header.withRefcountTable(offset, clusters);
  }

  /** The virtual size: 8 bytes at 24. */
  public synchronized void setSize(long size) throws IOException {
    file.write(ByteBuffer.allocate(8).putLong(size).flip(), 24);
    header = header.withSize(size);
  }

  /**
   * The virtual size in memory only; the writer puts it on disk with {@link #setSize} at its next
   * flush (see WRITE-PATH.md: a grown size reaches the disk before anything that maps the grown
   * part).
   */
  public synchronized void stageSize(long size) {
    header = header.withSize(size);
  }

  /** incompatible_features (v3 only): 8 bytes at 72, forced, as QEMU does for the dirty bit. */
  public synchronized void setIncompatibleFeatures(long bits) throws IOException {
    if (header.version() < 3) {
      throw new IllegalStateException("version 2 headers have no feature fields");
    }
    file.write(ByteBuffer.allocate(8).putLong(bits).flip(), 72);
    file.force();
    header = header.withIncompatibleFeatures(bits);
  }

  /** autoclear_features (v3 only): 8 bytes at 88, forced. */
  public synchronized void setAutoclearFeatures(long bits) throws IOException {
    if (header.version() < 3) {
      throw new IllegalStateException("version 2 headers have no feature fields");
    }
    file.write(ByteBuffer.allocate(8).putLong(bits).flip(), 88);
    file.force();
    header = header.withAutoclearFeatures(bits);
  }
}
