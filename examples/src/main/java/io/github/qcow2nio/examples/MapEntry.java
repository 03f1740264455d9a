package io.github.qcow2nio.examples;

import java.util.Objects;

/**
 * One line of {@code qemu-img map}: a guest range, the backing-chain layer that decides what it
 * reads as, and where its bytes are.
 *
 * @param depth the layer, 0 for the image itself, 1 for its backing file, ...
 * @param present the layer at {@code depth} allocates the range (as data or as zeros)
 * @param zero the range reads as zeros
 * @param data the range's bytes come from a file
 * @param offset where the bytes are in {@code filename}, or -1 when they cannot be read
 *     directly (compressed, or no storage)
 * @param filename the file holding the bytes at {@code offset}, or null without an offset
 */
public record MapEntry(long start, long length, int depth, boolean present, boolean zero,
    boolean data, long offset, String filename) {

  public boolean hasOffset() {
    return offset >= 0;
  }

  public long end() {
    return start + length;
  }

  /** True when qemu-img would print {@code next} as part of this entry. */
  public boolean mergeableWith(MapEntry next) {
    return depth == next.depth && present == next.present && zero == next.zero
        && data == next.data && hasOffset() == next.hasOffset()
        && (!hasOffset() || (offset + length == next.offset
            && Objects.equals(filename, next.filename)));
  }

  public MapEntry extendedBy(long more) {
    return new MapEntry(start, length + more, depth, present, zero, data, offset, filename);
  }
}
