package io.github.qcow2nio.format;

/**
 * What a rebase did.
 *
 * @param virtualSize the overlay's size
 * @param comparedBytes guest bytes the overlay did not allocate, read through the old and the
 *     new backing chain and compared (0 for an unsafe rebase)
 * @param copiedBytes guest bytes that read differently and were copied into the overlay
 */
public record RebaseResult(long virtualSize, long comparedBytes, long copiedBytes) {}
