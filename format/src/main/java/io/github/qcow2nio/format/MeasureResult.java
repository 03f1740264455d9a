package io.github.qcow2nio.format;

/**
 * What {@code qemu-img measure} prints.
 *
 * @param required bytes a new image needs for the data present (metadata counted as if full)
 * @param fullyAllocated bytes a fully allocated image takes
 * @param bitmaps bytes the source's persistent bitmaps would take, or -1 when qemu-img prints no
 *     bitmaps line (the target is not qcow2 version 3, or the source cannot hold bitmaps)
 */
public record MeasureResult(long required, long fullyAllocated, long bitmaps) {

  public boolean hasBitmaps() {
    return bitmaps >= 0;
  }
}
