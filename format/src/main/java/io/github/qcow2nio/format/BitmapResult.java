package io.github.qcow2nio.format;

import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import java.util.List;

/**
 * What a bitmap operation left.
 *
 * @param bitmaps the image's bitmaps afterwards, in directory order
 * @param applied how many of the actions were made (all of them when the call returns)
 */
public record BitmapResult(List<BitmapDirectoryEntry> bitmaps, int applied) {
  public BitmapResult {
    bitmaps = List.copyOf(bitmaps);
  }
}
