package io.github.qcow2nio.format;

import java.util.List;

/**
 * What a conversion did.
 *
 * @param virtualSize the size of the disk copied
 * @param dataBytes guest bytes written as data
 * @param zeroBytes guest bytes made to read as zeros without writing data (write-zeros), where
 *     the target did not already read as zeros
 * @param skippedBytes guest bytes not touched: zeros on a target that already reads as zeros, or
 *     ranges left to the target's backing file
 * @param skippedBitmaps with {@code --bitmaps --skip-broken-bitmaps}: the inconsistent bitmaps
 *     not copied (qemu-img warns "Skipping inconsistent bitmap 'NAME'" for each)
 */
public record ConvertResult(long virtualSize, long dataBytes, long zeroBytes,
    long skippedBytes, List<String> skippedBitmaps) {

  public ConvertResult {
    skippedBitmaps = List.copyOf(skippedBitmaps);
  }

  public ConvertResult(long virtualSize, long dataBytes, long zeroBytes, long skippedBytes) {
    this(virtualSize, dataBytes, zeroBytes, skippedBytes, List.of());
  }

  /** This result naming the bitmaps a conversion skipped. */
  public ConvertResult withSkippedBitmaps(List<String> names) {
    return new ConvertResult(virtualSize, dataBytes, zeroBytes, skippedBytes, names);
  }
}
