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
 * @param keySecret the passphrase of an encrypted image ({@code qemu-img resize --object
 *     secret,... --image-opts encrypt.key-secret=}), or null; resizing a LUKS image keeps it
 *     encrypted with the same key (legacy AES images are read-only and refused)
 * @param backingKeys the passphrases of encrypted backing layers by depth, which qemu-img opens
 *     too ({@code backing.encrypt.key-secret}); null: each takes {@code keySecret}
 */
public record ResizeOptions(Path image, long size, boolean relative, boolean shrink,
    Preallocation preallocation, ReferencePolicy referencePolicy, KeySecret keySecret,
    BackingKeys backingKeys) {

  /** As the canonical constructor, for a plain image. */
  public ResizeOptions(Path image, long size, boolean relative, boolean shrink,
      Preallocation preallocation, ReferencePolicy referencePolicy) {
    this(image, size, relative, shrink, preallocation, referencePolicy, null, null);
  }

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
    if (backingKeys == null) {
      backingKeys = BackingKeys.inherit();
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
    return new ResizeOptions(image, size, relative, value, preallocation, referencePolicy,
        keySecret, backingKeys);
  }

  public ResizeOptions withPreallocation(Preallocation value) {
    return new ResizeOptions(image, size, relative, shrink, value, referencePolicy, keySecret,
        backingKeys);
  }

  public ResizeOptions withReferencePolicy(ReferencePolicy value) {
    return new ResizeOptions(image, size, relative, shrink, preallocation, value, keySecret,
        backingKeys);
  }

  /** The passphrase of an encrypted image; null for none. */
  public ResizeOptions withKeySecret(KeySecret value) {
    return new ResizeOptions(image, size, relative, shrink, preallocation, referencePolicy,
        value, backingKeys);
  }

  /** The passphrases of the backing layers by depth; null: each takes the image's. */
  public ResizeOptions withBackingKeys(BackingKeys value) {
    return new ResizeOptions(image, size, relative, shrink, preallocation, referencePolicy,
        keySecret, value);
  }

  /** How the image (and its chain) is opened for the resize. */
  public OpenOptions openOptions() {
    return OpenOptions.readWrite().toBuilder().referencePolicy(referencePolicy)
        .keySecret(keySecret).backingKeys(backingKeys).build();
  }
}
