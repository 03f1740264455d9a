package io.github.qcow2nio.provider;

/**
 * A run of a disk's bytes with one status through the whole backing chain: what
 * {@code qemu-img map --output=json} reports for it.
 *
 * @param start guest offset of the first byte
 * @param length bytes in the run
 * @param depth the layer that holds the run (0 the image itself, 1 its backing file, ...); for
 *     a run no layer allocates, the bottom layer's (as qemu-img map reports it)
 * @param present some layer allocates the run (as data or as zeros)
 * @param zero the run reads as zeros without reading data (zero clusters, unallocated ranges)
 * @param data the run's bytes are stored data (normal or compressed clusters, raw files)
 */
public record DiskExtent(long start, long length, int depth, boolean present, boolean zero,
    boolean data) {

  public long end() {
    return start + length;
  }
}
