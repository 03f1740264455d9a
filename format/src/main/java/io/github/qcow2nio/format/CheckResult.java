package io.github.qcow2nio.format;

/**
 * What a check found, field for field what {@code qemu-img check} reports (its {@code ImageCheck}
 * JSON object). After a repair the counts are those of a second, read-only check of the repaired
 * image, and the {@code ...Fixed} counts say what the repair changed, as qemu-img does.
 *
 * @param checkErrors problems that kept the check from completing (I/O errors)
 * @param corruptions errors in the image: references to clusters whose refcount is too low,
 *     wrong COPIED flags, bad table entries, overlapping metadata
 * @param leaks clusters whose refcount is higher than the references to them
 * @param imageEndOffset the end of the last cluster with a stored or counted reference
 * @param totalClusters the clusters of the virtual disk
 * @param allocatedClusters active L2 entries that map data (normal, preallocated zero,
 *     compressed)
 * @param fragmentedClusters allocated entries that do not follow the previous one in the file
 * @param compressedClusters compressed entries
 */
public record CheckResult(long checkErrors, long corruptions, long leaks, long corruptionsFixed,
    long leaksFixed, long imageEndOffset, long totalClusters, long allocatedClusters,
    long fragmentedClusters, long compressedClusters) {

  /** No problem at all. */
  public boolean isClean() {
    return checkErrors == 0 && corruptions == 0 && leaks == 0;
  }

  /** Anything repaired. */
  public boolean repaired() {
    return corruptionsFixed != 0 || leaksFixed != 0;
  }

  /**
   * {@code qemu-img check}'s exit status for this result: 1 when the check had errors, 2 when
   * corruptions remain, 3 when only leaks remain, 0 when the image is consistent.
   */
  public int exitCode() {
    if (checkErrors > 0) {
      return 1;
    }
    if (corruptions > 0) {
      return 2;
    }
    return leaks > 0 ? 3 : 0;
  }

  /** The same counts with the repair's counts set: the report after a repair. */
  public CheckResult withFixed(long corruptions, long leaks) {
    return new CheckResult(checkErrors, this.corruptions, this.leaks, corruptions, leaks,
        imageEndOffset, totalClusters, allocatedClusters, fragmentedClusters, compressedClusters);
  }
}
