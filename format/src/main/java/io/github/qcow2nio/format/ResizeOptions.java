package io.github.qcow2nio.format;

import io.github.qcow2nio.format.io.ReferencePolicy;
import io.github.qcow2nio.format.CreateOptions.Preallocation;
import java.nio.file.Path;

/**
 * What {@code qemu-img resize} takes for a qcow2 image.
 *
 * @param image the image to resize in place
 * @param size the new virtual size in bytes (a multiple of 512), or with {@code relative} what
 *     to add (negative: to remove), as qemu-img's {@code +N} and {@code -N}
 * @param relative {@code size} is added to the current size
 * @param shrink {@code --shrink}: a smaller size is allowed, dropping what lies past it
 * @param preallocation {@code --preallocation}: how the added part is allocated (growing only)
 * @param referencePolicy which backing and data files the image (and every image it names) may
 *     have opened; {@link ReferencePolicy#follow()} (as QEMU) when null
 */
public record ResizeOptions(Path image, long size, boolean relative, boolean shrink,
    Preallocation preallocation, ReferencePolicy referencePolicy) {

  /** As the canonical constructor, following every name as QEMU does. */
  public ResizeOptions(Path image, long size, boolean relative, boolean shrink,
      Preallocation preallocation) {
    this(image, size, relative, shrink, preallocation, ReferencePolicy.follow());
  }

  public ResizeOptions {
    if (image == null) {
      throw new NullPointerException("image");
    }
    if (preallocation == null) {
      preallocation = Preallocation.OFF;
    }
    if (referencePolicy == null) {
      referencePolicy = ReferencePolicy.follow();
    }
  }

  /** Resizes the image at {@code image} to {@code size} (growing only), nothing preallocated. */
  public static ResizeOptions to(Path image, long size) {
    return new ResizeOptions(image, size, false, false, Preallocation.OFF);
  }

  /** Adds {@code delta} bytes (negative: removes them; needs {@link #withShrink}). */
  public static ResizeOptions by(Path image, long delta) {
    return new ResizeOptions(image, delta, true, false, Preallocation.OFF);
  }

  public ResizeOptions withShrink(boolean value) {
    return new ResizeOptions(image, size, relative, value, preallocation, referencePolicy);
  }

  public ResizeOptions withPreallocation(Preallocation value) {
    return new ResizeOptions(image, size, relative, shrink, value, referencePolicy);
  }

  public ResizeOptions withReferencePolicy(ReferencePolicy value) {
    return new ResizeOptions(image, size, relative, shrink, preallocation, value);
  }
}
