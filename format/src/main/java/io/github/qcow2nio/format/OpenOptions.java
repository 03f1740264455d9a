package io.github.qcow2nio.format;

import io.github.qcow2nio.format.io.ReferencePolicy;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import java.util.Objects;

/**
 * How to open an image.
 *
 * @param writable open the image file read-write (backing files are always opened read-only)
 * @param maxBackingDepth the deepest backing chain accepted below this image
 * @param l2CacheBytes the L2 cache budget per layer; 0 picks QEMU's default (enough to map the
 *     whole disk, at most 32 MiB)
 * @param dataFile the external data file's name, overriding the one in the header; null to use
 *     the header's
 * @param openBacking false opens the image alone: unallocated clusters then read as zeros
 * @param locking take QEMU's image locks on the image, its backing files and its data file, and
 *     refuse to open what another program (or another open in this JVM) holds in conflict; files
 *     outside the default file system are never locked (see format/LOCKING.md)
 * @param forceShare as {@code qemu-img -U}: refuse no permission to others, so that an image a VM
 *     holds can be read; only for read-only opens
 * @param referencePolicy which backing and data files the image (and each image below it) may
 *     name and have opened; {@link ReferencePolicy#follow()} by default, for trusted images
 * @param keySecret the passphrase of an encrypted image (and, unless {@code backingKeys} names
 *     theirs, of encrypted backing files), or null; its {@code toString} never shows it
 * @param backingKeys the passphrases of the backing layers, by depth, for a chain whose layers
 *     have different keys (qemu-img's {@code backing.encrypt.key-secret}); null or
 *     {@link BackingKeys#inherit()}: every layer takes {@code keySecret}. A layer that needs a
 *     key and has none, or the wrong one, is refused with an error naming that layer
 */
public record OpenOptions(
    boolean writable, int maxBackingDepth, long l2CacheBytes, String dataFile,
    boolean openBacking, boolean locking, boolean forceShare,
    ReferencePolicy referencePolicy, KeySecret keySecret, BackingKeys backingKeys) {

  public static final long DEFAULT_MAX_L2_CACHE = 32L * 1024 * 1024;

  public OpenOptions {
    Objects.requireNonNull(referencePolicy, "referencePolicy");
    if (backingKeys == null) {
      backingKeys = BackingKeys.inherit();
    }
    if (maxBackingDepth < 0) {
      throw new IllegalArgumentException("maxBackingDepth " + maxBackingDepth);
    }
    if (l2CacheBytes < 0) {
      throw new IllegalArgumentException("l2CacheBytes " + l2CacheBytes);
    }
    if (forceShare && writable) {
      // QEMU's own words for the same request.
      throw new IllegalArgumentException(
          "force-share=on can only be used with read-only images");
    }
  }

  /** As the canonical constructor, every backing layer taking {@code keySecret}. */
  public OpenOptions(boolean writable, int maxBackingDepth, long l2CacheBytes, String dataFile,
      boolean openBacking, boolean locking, boolean forceShare,
      ReferencePolicy referencePolicy, KeySecret keySecret) {
    this(writable, maxBackingDepth, l2CacheBytes, dataFile, openBacking, locking, forceShare,
        referencePolicy, keySecret, BackingKeys.inherit());
  }

  /**
   * The options that follow every name and hold no key secret (the form before reference
   * policies and encrypted images).
   */
  public OpenOptions(boolean writable, int maxBackingDepth, long l2CacheBytes, String dataFile,
      boolean openBacking, boolean locking, boolean forceShare) {
    this(writable, maxBackingDepth, l2CacheBytes, dataFile, openBacking, locking, forceShare,
        ReferencePolicy.follow(), null);
  }

  /**
   * These options as the layer {@code depth} deep below the image is opened with them (0: these
   * options): that layer's key secret, and the secrets of the layers below it by depth from it.
   */
  public OpenOptions forLayer(int depth) {
    OpenOptions o = this;
    for (int i = 0; i < depth; i++) {
      o = o.toBuilder().keySecret(o.backingKeys.forBacking(o.keySecret))
          .backingKeys(o.backingKeys.below(o.keySecret)).build();
    }
    return o;
  }

  /** Read-only, with the backing chain, QEMU's locks and the default cache. */
  public static OpenOptions readOnly() {
    return builder().build();
  }

  /** As {@link #readOnly()}, but the image file is opened read-write. */
  public static OpenOptions readWrite() {
    return builder().writable(true).build();
  }

  /**
   * A builder starting from {@link #readOnly()}'s options. Options vary through a builder, one
   * setter per option, so that a call names what it changes and nothing else.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options, to change some and keep the rest. */
  public Builder toBuilder() {
    return new Builder().writable(writable).maxBackingDepth(maxBackingDepth)
        .l2CacheBytes(l2CacheBytes).dataFile(dataFile).openBacking(openBacking).locking(locking)
        .forceShare(forceShare).referencePolicy(referencePolicy).keySecret(keySecret)
        .backingKeys(backingKeys);
  }

  /**
   * Collects the options, each setter named after the option it sets; {@link #build()} checks
   * them together, as the record's constructor does (a force-share open must be read-only, so
   * the order of the setters does not matter).
   */
  public static final class Builder {
    private boolean writable;
    private int maxBackingDepth = Qcow2Limits.DEFAULT_MAX_BACKING_DEPTH;
    private long l2CacheBytes;
    private String dataFile;
    private boolean openBacking = true;
    private boolean locking = true;
    private boolean forceShare;
    private ReferencePolicy referencePolicy = ReferencePolicy.follow();
    private KeySecret keySecret;
    private BackingKeys backingKeys = BackingKeys.inherit();

    private Builder() {}

    public Builder writable(boolean value) {
      writable = value;
      return this;
    }

    public Builder maxBackingDepth(int value) {
      maxBackingDepth = value;
      return this;
    }

    /** 0 picks QEMU's default. */
    public Builder l2CacheBytes(long value) {
      l2CacheBytes = value;
      return this;
    }

    /** Overrides the header's data file name; null keeps the header's. */
    public Builder dataFile(String value) {
      dataFile = value;
      return this;
    }

    public Builder openBacking(boolean value) {
      openBacking = value;
      return this;
    }

    public Builder locking(boolean value) {
      locking = value;
      return this;
    }

    public Builder forceShare(boolean value) {
      forceShare = value;
      return this;
    }

    /** Which named files may be opened: for untrusted images, {@code none()} or confined. */
    public Builder referencePolicy(ReferencePolicy value) {
      referencePolicy = value;
      return this;
    }

    /**
     * The passphrase of an encrypted image: the provider's env key {@code keySecret}. The array
     * is copied; wipe yours when you like.
     */
    public Builder keySecret(char[] value) {
      keySecret = value == null ? null : KeySecret.of(value);
      return this;
    }

    /** The passphrase as raw bytes (copied). */
    public Builder keySecret(byte[] value) {
      keySecret = value == null ? null : KeySecret.of(value);
      return this;
    }

    /** The passphrase fetched when needed; arrays the supplier returns are wiped after use. */
    public Builder keySecret(java.util.function.Supplier<?> value) {
      keySecret = value == null ? null : KeySecret.from(value);
      return this;
    }

    /** The passphrase, or null for none. */
    public Builder keySecret(KeySecret value) {
      keySecret = value;
      return this;
    }

    /**
     * The passphrases of the backing layers by depth (qemu-img's
     * {@code backing.encrypt.key-secret}); null: every layer takes {@link #keySecret}'s.
     */
    public Builder backingKeys(BackingKeys value) {
      backingKeys = value;
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException for a negative depth or cache size, or force-share with
     *     a writable open
     */
    public OpenOptions build() {
      return new OpenOptions(writable, maxBackingDepth, l2CacheBytes, dataFile, openBacking,
          locking, forceShare, referencePolicy, keySecret, backingKeys);
    }
  }
}
