package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.util.List;

/**
 * Block status through a chain of disks, as QEMU's {@code bdrv_block_status_above} reports it:
 * the first layer that allocates a range decides what it holds; a range no layer allocates, or
 * past the end of a shorter backing disk, reads as zeros.
 */
final class ChainStatus {

  /**
   * A run of guest bytes with one status.
   *
   * @param data reads come from stored data (normal or compressed clusters, raw files)
   * @param zero reads as zeros without data
   * @param allocated some layer allocates it (QEMU's BDRV_BLOCK_ALLOCATED)
   * @param offsetValid the bytes lie at a known host offset (QEMU's BDRV_BLOCK_OFFSET_VALID)
   * @param depth the layer that decided, 0 for the top
   * @param hostOffset where the run starts in the file holding that layer's data, or -1
   */
  record Run(long start, long length, boolean data, boolean zero, boolean allocated,
      boolean offsetValid, int depth, long hostOffset) {

    long end() {
      return start + length;
    }

    /**
     * The flags strict compare holds equal, as QEMU compares its status words: those above and
     * BDRV_BLOCK_EOF, set on the run that reaches the end of its disk.
     */
    boolean sameStatus(Run other, long size, long otherSize) {
      return data == other.data && zero == other.zero && allocated == other.allocated
          && offsetValid == other.offsetValid && (end() == size) == (other.end() == otherSize);
    }
  }

  private final List<VirtualDisk> layers;
  private final long size;

  /** The chain of {@code source}, as long as QEMU sees its disk. */
  ChainStatus(SourceChain source) {
    this.layers = source.layers();
    this.size = source.size();
  }

  /** The whole chain below and including the top. */
  Run at(long offset, long maxLength) throws IOException {
    return at(offset, maxLength, layers.size());
  }

  /**
   * The status looking at the top {@code depthLimit} layers only: with 1, what the top layer
   * allocates (QEMU's {@code bdrv_block_status}); unallocated ranges of a top layer that has a
   * backing disk are then neither data nor zero.
   */
  Run at(long offset, long maxLength, int depthLimit) throws IOException {
    if (offset >= layers.get(0).size()) {
      // The tail of a raw file's last sector: zeros.
      return new Run(offset, Math.min(maxLength, size - offset), false, true, true, false, 0,
          -1);
    }
    long length = Math.min(maxLength, layers.get(0).size() - offset);
    for (int depth = 0; depth < Math.min(depthLimit, layers.size()); depth++) {
      VirtualDisk layer = layers.get(depth);
      if (offset >= layer.size()) {
        // A backing disk shorter than the layer above: zeros, allocated there (QEMU's rule).
        return new Run(offset, length, false, true, true, false, depth, -1);
      }
      Extent e = layer.blockStatus(offset, Math.min(length, layer.size() - offset));
      length = e.length();
      switch (e.type()) {
        case NORMAL:
          // Encrypted layers give no host offset (their host bytes are not the guest's).
          return new Run(offset, length, true, false, true, e.hasHostOffset(), depth,
              e.hostOffset());
        case COMPRESSED:
          return new Run(offset, length, true, false, true, false, depth, -1);
        case ZERO:
          return new Run(offset, length, false, true, true, e.hasHostOffset(), depth,
              e.hostOffset());
        default:
          break;
      }
    }
    boolean bottom = depthLimit >= layers.size();
    return new Run(offset, length, false, bottom, false, false, Math.min(depthLimit,
        layers.size()), -1);
  }
}
