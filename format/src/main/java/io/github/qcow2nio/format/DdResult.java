package io.github.qcow2nio.format;

/**
 * What {@code qemu-img dd} did.
 *
 * @param virtualSize the size the target was created with (before the format rounds it up to
 *     whole 512-byte sectors)
 * @param bytesCopied the input's bytes written into the target
 * @param skipPastEnd the skip reached past the end of the input (or past {@code count}): the
 *     target was created empty, and qemu-img says "cannot skip to specified offset", yet
 *     succeeds
 */
public record DdResult(long virtualSize, long bytesCopied, boolean skipPastEnd) {}
