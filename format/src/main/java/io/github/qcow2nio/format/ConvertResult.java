package io.github.qcow2nio.format;

/**
 * What a conversion did.
 *
 * @param virtualSize the size of the disk copied
 * @param dataBytes guest bytes written as data
 * @param zeroBytes guest bytes made to read as zeros without writing data (write-zeros), where
 *     the target did not already read as zeros
 * @param skippedBytes guest bytes not touched: zeros on a target that already reads as zeros, or
 *     ranges left to the target's backing file
 */
public record ConvertResult(long virtualSize, long dataBytes, long zeroBytes,
    long skippedBytes) {}
