package io.github.qcow2nio.format;

/**
 * What {@code qemu-img compare} takes.
 *
 * @param first the first image ({@code -f})
 * @param second the second image ({@code -F})
 * @param strict {@code -s}: images of different sizes, or ranges allocated in one and not the
 *     other, differ
 */
public record CompareOptions(ImageSource first, ImageSource second, boolean strict) {}
