package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Block status through a disk's chain, for {@link BlockStatusChannel} and the sparse copies:
 * the first layer that allocates a range decides; a range no layer allocates, or past the end of
 * a shorter backing disk, reads as zeros.
 */
final class DiskExtents {
  private final List<VirtualDisk> layers;

  private DiskExtents(List<VirtualDisk> layers) {
    this.layers = layers;
  }

  /** {@code top} (the image's disk or a snapshot's) over the image's backing chain. */
  static DiskExtents of(VirtualDisk top, Qcow2Image image) {
    List<VirtualDisk> layers = new ArrayList<>();
    layers.add(top);
    Qcow2Image at = image;
    while (at != null && at.backingDisk().isPresent()) {
      layers.add(at.backingDisk().get());
      at = at.backingImage().orElse(null);
    }
    return new DiskExtents(List.copyOf(layers));
  }

  DiskExtent at(long offset, long maxLength) throws IOException {
    VirtualDisk top = layers.get(0);
    if (offset < 0 || offset >= top.size() || maxLength <= 0) {
      throw new IllegalArgumentException("block status of " + maxLength + " bytes at " + offset
          + " outside a disk of " + top.size() + " bytes");
    }
    long length = Math.min(maxLength, top.size() - offset);
    for (int depth = 0; depth < layers.size(); depth++) {
      VirtualDisk layer = layers.get(depth);
      if (offset >= layer.size()) {
        return new DiskExtent(offset, length, depth, true, true, false);
      }
      Extent e = layer.blockStatus(offset, Math.min(length, layer.size() - offset));
      length = e.length();
      switch (e.type()) {
        case NORMAL, COMPRESSED:
          return new DiskExtent(offset, length, depth, true, false, true);
        case ZERO:
          return new DiskExtent(offset, length, depth, true, true, false);
        default:
          break;
      }
    }
    return new DiskExtent(offset, length, layers.size() - 1, false, true, false);
  }

  /** Whether all of {@code [offset, offset + length)} reads as zeros without stored data. */
  boolean readsZeros(long offset, long length) throws IOException {
    long end = Math.min(offset + length, layers.get(0).size());
    for (long at = offset; at < end; ) {
      DiskExtent e = at(at, end - at);
      if (!e.zero()) {
        return false;
      }
      at = e.end();
    }
    return true;
  }

  /** Whether the buffer's remaining bytes are all zero. */
  static boolean isZero(ByteBuffer b) {
    int i = b.position();
    int end = b.limit();
    for (; i + 8 <= end; i += 8) {
      if (b.getLong(i) != 0) {
        return false;
      }
    }
    for (; i < end; i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
