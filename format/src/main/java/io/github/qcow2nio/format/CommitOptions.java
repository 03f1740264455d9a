package io.github.qcow2nio.format;

import io.github.qcow2nio.format.io.ReferencePolicy;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@code qemu-img commit} takes.
 *
 * @param image the overlay whose changes are committed ({@code filename})
 * @param base {@code -b}: the image of the overlay's backing chain to commit into, named as the
 *     chain names it (the backing file name an image records) or as a path to the same file;
 *     null for the overlay's own backing file. Every layer between the overlay and the base is
 *     committed too, and as qemu-img, {@code -b} implies {@code -d}: the layers above the base are
 *     left as they were (they may then read differently from the base, as in QEMU)
 * @param keepOverlay {@code -d}: leave the overlay's clusters in place; without it (and without
 *     {@code -b}) the overlay is emptied once its data is durable in the backing file, so that it
 *     reads through to it
 * @param referencePolicy which backing and data files the image (and every image it names) may
 *     have opened; {@link ReferencePolicy#follow()} (as QEMU) when null
 * @param keySecret the passphrase of an encrypted overlay ({@code --object secret,...
 *     --image-opts encrypt.key-secret=}), or null
 * @param backingKeys the passphrases of the encrypted layers below it by depth
 *     ({@code backing.encrypt.key-secret}, {@code backing.backing.encrypt.key-secret}, ...); the
 *     base is written with its own key, so an overlay and a base with different keys commit as
 *     in qemu-img. Null: every layer takes {@code keySecret}
 */
public record CommitOptions(Path image, String base, boolean keepOverlay,
    ReferencePolicy referencePolicy, KeySecret keySecret, BackingKeys backingKeys) {

  public CommitOptions {
    Objects.requireNonNull(image, "image");
    if (referencePolicy == null) {
      referencePolicy = ReferencePolicy.follow();
    }
    if (backingKeys == null) {
      backingKeys = BackingKeys.inherit();
    }
  }

  /** As the canonical constructor, for plain images. */
  public CommitOptions(Path image, String base, boolean keepOverlay,
      ReferencePolicy referencePolicy) {
    this(image, base, keepOverlay, referencePolicy, null, null);
  }

  /** As the canonical constructor, following every name as QEMU does. */
  public CommitOptions(Path image, String base, boolean keepOverlay) {
    this(image, base, keepOverlay, ReferencePolicy.follow());
  }

  /** The overlay emptied once its data is in the backing file below it: qemu-img's default. */
  public static CommitOptions of(Path image) {
    return builder(image).build();
  }

  /** A builder starting from {@link #of}'s options. */
  public static Builder builder(Path image) {
    return new Builder(image);
  }

  public Builder toBuilder() {
    return new Builder(image).base(base).keepOverlay(keepOverlay)
        .referencePolicy(referencePolicy).keySecret(keySecret).backingKeys(backingKeys);
  }

  /** How the overlay and its chain are opened, the overlay writable when {@code writable}. */
  public OpenOptions openOptions(boolean writable) {
    return OpenOptions.builder().writable(writable).referencePolicy(referencePolicy)
        .keySecret(keySecret).backingKeys(backingKeys).build();
  }

  /** Whether the overlay is emptied afterwards: neither {@code -d} nor {@code -b} given. */
  public boolean emptiesOverlay() {
    return !keepOverlay && base == null;
  }

  /** One setter per option of {@link CommitOptions}. */
  public static final class Builder {
    private final Path image;
    private String base;
    private boolean keepOverlay;
    private ReferencePolicy referencePolicy = ReferencePolicy.follow();
    private KeySecret keySecret;
    private BackingKeys backingKeys;

    private Builder(Path image) {
      this.image = image;
    }

    /** {@code -b}: the chain's image to commit into; null for the overlay's backing file. */
    public Builder base(String value) {
      base = value;
      return this;
    }

    /** {@code -d}: keep the overlay's clusters. */
    public Builder keepOverlay(boolean value) {
      keepOverlay = value;
      return this;
    }

    /** Which files the chain may name and have opened. */
    public Builder referencePolicy(ReferencePolicy value) {
      referencePolicy = value;
      return this;
    }

    /** The overlay's passphrase; null for none. */
    public Builder keySecret(KeySecret value) {
      keySecret = value;
      return this;
    }

    /** The passphrases of the layers below by depth; null: each takes the overlay's. */
    public Builder backingKeys(BackingKeys value) {
      backingKeys = value;
      return this;
    }

    public CommitOptions build() {
      return new CommitOptions(image, base, keepOverlay, referencePolicy, keySecret,
          backingKeys);
    }
  }
}
