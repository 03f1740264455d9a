package io.github.qcow2nio.format;

import io.github.qcow2nio.format.io.ReferencePolicy;
import java.nio.file.Path;

/**
 * What {@code qemu-img amend -o ...} takes for a qcow2 image: each option is null when not
 * given, and then stays as the image has it.
 *
 * @param image the image to change in place
 * @param version {@code compat}: 2 (0.10) or 3 (1.1)
 * @param lazyRefcounts {@code lazy_refcounts}
 * @param refcountBits {@code refcount_bits}: a power of two from 1 to 64
 * @param size {@code size}: the new virtual size (shrinking drops what lies past it)
 * @param backingFile {@code backing_file}: refused as qemu-img 7.2 refuses it (use rebase)
 * @param backingFormat {@code backing_fmt}: refused likewise
 * @param dataFile {@code data_file}: renames the external data file (only for images with one)
 * @param dataFileRaw {@code data_file_raw}: only off can be set on an existing image
 * @param referencePolicy which backing and data files the image (and every image it names) may
 *     have opened; {@link ReferencePolicy#follow()} (as QEMU) when null
 * @param keySecret the passphrase that unlocks an encrypted image ({@code encrypt.key-secret} of
 *     the image's open); needed for {@code keySlots}
 * @param keySlots {@code encrypt.*}: a LUKS key slot to add or slots to remove; only alone (the
 *     other options of an encrypted image are not amended here)
 */
public record AmendOptions(Path image, Integer version, Boolean lazyRefcounts,
    Integer refcountBits, Long size, String backingFile, String backingFormat, String dataFile,
    Boolean dataFileRaw, ReferencePolicy referencePolicy, KeySecret keySecret,
    KeySlotChange keySlots) {

  public AmendOptions {
    if (image == null) {
      throw new NullPointerException("image");
    }
    if (referencePolicy == null) {
      referencePolicy = ReferencePolicy.follow();
    }
  }

  /** As the canonical constructor, for an image whose key slots stay as they are. */
  public AmendOptions(Path image, Integer version, Boolean lazyRefcounts, Integer refcountBits,
      Long size, String backingFile, String backingFormat, String dataFile,
      Boolean dataFileRaw, ReferencePolicy referencePolicy) {
    this(image, version, lazyRefcounts, refcountBits, size, backingFile, backingFormat, dataFile,
        dataFileRaw, referencePolicy, null, null);
  }

  /** As the canonical constructor, following every name as QEMU does. */
  public AmendOptions(Path image, Integer version, Boolean lazyRefcounts, Integer refcountBits,
      Long size, String backingFile, String backingFormat, String dataFile,
      Boolean dataFileRaw) {
    this(image, version, lazyRefcounts, refcountBits, size, backingFile, backingFormat, dataFile,
        dataFileRaw, ReferencePolicy.follow());
  }

  /** Nothing to change yet: add options with the builder. */
  public static Builder builder(Path image) {
    return new Builder(image);
  }

  /** True when no option is given (qemu-img then asks for -o). */
  public boolean isEmpty() {
    return version == null && lazyRefcounts == null && refcountBits == null && size == null
        && backingFile == null && backingFormat == null && dataFile == null
        && dataFileRaw == null && keySlots == null;
  }

  /** True when an option other than {@code keySlots} is given. */
  public boolean changesMoreThanKeySlots() {
    return version != null || lazyRefcounts != null || refcountBits != null || size != null
        || backingFile != null || backingFormat != null || dataFile != null
        || dataFileRaw != null;
  }

  /** Builds {@link AmendOptions}; each setter takes the {@code -o} option of the same name. */
  public static final class Builder {
    private final Path image;
    private Integer version;
    private Boolean lazyRefcounts;
    private Integer refcountBits;
    private Long size;
    private String backingFile;
    private String backingFormat;
    private String dataFile;
    private Boolean dataFileRaw;
    private ReferencePolicy referencePolicy = ReferencePolicy.follow();
    private KeySecret keySecret;
    private KeySlotChange keySlots;

    private Builder(Path image) {
      this.image = image;
    }

    /** {@code compat}: 2 for 0.10, 3 for 1.1. */
    public Builder version(int value) {
      this.version = value;
      return this;
    }

    public Builder lazyRefcounts(boolean value) {
      this.lazyRefcounts = value;
      return this;
    }

    public Builder refcountBits(int value) {
      this.refcountBits = value;
      return this;
    }

    public Builder size(long value) {
      this.size = value;
      return this;
    }

    public Builder backingFile(String value) {
      this.backingFile = value;
      return this;
    }

    public Builder backingFormat(String value) {
      this.backingFormat = value;
      return this;
    }

    public Builder dataFile(String value) {
      this.dataFile = value;
      return this;
    }

    public Builder dataFileRaw(boolean value) {
      this.dataFileRaw = value;
      return this;
    }

    /** Which files the image may name and have opened (not an {@code -o} option). */
    public Builder referencePolicy(ReferencePolicy value) {
      this.referencePolicy = value;
      return this;
    }

    /** The passphrase that unlocks the (encrypted) image. */
    public Builder keySecret(KeySecret value) {
      this.keySecret = value;
      return this;
    }

    /** {@code encrypt.*}: the key slot change. */
    public Builder keySlots(KeySlotChange value) {
      this.keySlots = value;
      return this;
    }

    public AmendOptions build() {
      return new AmendOptions(image, version, lazyRefcounts, refcountBits, size, backingFile,
          backingFormat, dataFile, dataFileRaw, referencePolicy, keySecret, keySlots);
    }
  }
}
