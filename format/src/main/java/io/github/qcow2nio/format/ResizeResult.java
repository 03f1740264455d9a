package io.github.qcow2nio.format;

/**
 * What {@code qemu-img resize} did.
 *
 * @param oldSize the virtual size before
 * @param newSize the virtual size now
 * @param fileSize the image file's length now (a shrink cuts the file after its last cluster in
 *     use, as qemu-img does)
 */
public record ResizeResult(long oldSize, long newSize, long fileSize) {}
