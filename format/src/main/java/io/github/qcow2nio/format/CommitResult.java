package io.github.qcow2nio.format;

/**
 * What a commit did.
 *
 * @param virtualSize the overlay's size: the part of the disk committed
 * @param base the image committed into, as its location names it
 * @param dataBytes guest bytes copied into the base as data
 * @param zeroBytes guest bytes made to read as zeros in the base (zero clusters above it)
 * @param layersCommitted how many layers above the base were folded into it (1 without -b)
 * @param emptied whether the overlay was emptied afterwards
 */
public record CommitResult(long virtualSize, String base, long dataBytes, long zeroBytes,
    int layersCommitted, boolean emptied) {}
