package io.github.qcow2nio.format;

import io.github.qcow2nio.format.io.ReferencePolicy;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What {@code qemu-img rebase} takes.
 *
 * @param image the overlay whose backing file changes ({@code filename})
 * @param backingFile {@code -b}: the new backing file's name, stored as given; a relative name is
 *     relative to the overlay's directory (not the working directory), as QEMU resolves it. The
 *     empty string removes the backing file: the overlay becomes standalone
 * @param backingFormat {@code -F}: "qcow2" or "raw"; qemu-img 7.2 refuses a new backing file
 *     without it (after a safe rebase has copied its data, as qemu-img does)
 * @param unsafe {@code -u}: only the header changes; nothing is compared or copied, and the new
 *     backing file need not exist
 * @param compress {@code -c}: the clusters a safe rebase copies into the overlay are stored
 *     compressed (qemu-img 8.0's option; 7.2 does not have it)
 * @param referencePolicy which files the overlay, its chain and the new backing file (the
 *     {@code -b} name too, even with {@code -u}) may name and have opened;
 *     {@link ReferencePolicy#follow()} (as QEMU) when null
 * @param keySecret the passphrase of an encrypted overlay, or null; an unsafe rebase needs it
 *     too (qemu-img opens the overlay with its key even with {@code -u})
 * @param backingKeys the passphrases of the old chain's encrypted layers by depth
 *     ({@code backing.encrypt.key-secret}, ...); null: each takes {@code keySecret}
 * @param newBackingKeys the passphrases of the new backing file (depth 1) and of the layers
 *     below it, for a safe rebase onto an encrypted image; null: each takes {@code keySecret}.
 *     qemu-img 7.2 has no way to name them and refuses such a rebase ("Could not open new
 *     backing file '...': Parameter 'encrypt.key-secret' is required for cipher"), which
 *     {@link BackingKeys#exactly} with no entries reproduces
 */
public record RebaseOptions(Path image, String backingFile, String backingFormat,
    boolean unsafe, boolean compress, ReferencePolicy referencePolicy, KeySecret keySecret,
    BackingKeys backingKeys, BackingKeys newBackingKeys) {

  /** As the canonical constructor, following every name as QEMU does. */
  public RebaseOptions(Path image, String backingFile, String backingFormat, boolean unsafe,
      boolean compress) {
    this(image, backingFile, backingFormat, unsafe, compress, ReferencePolicy.follow());
  }

  /** As the canonical constructor, for plain images. */
  public RebaseOptions(Path image, String backingFile, String backingFormat, boolean unsafe,
      boolean compress, ReferencePolicy referencePolicy) {
    this(image, backingFile, backingFormat, unsafe, compress, referencePolicy, null, null, null);
  }

  public RebaseOptions {
    if (referencePolicy == null) {
      referencePolicy = ReferencePolicy.follow();
    }
    if (backingKeys == null) {
      backingKeys = BackingKeys.inherit();
    }
    if (newBackingKeys == null) {
      newBackingKeys = BackingKeys.inherit();
    }
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(backingFile, "backingFile (\"\" for none)");
    if (backingFormat != null && !backingFormat.equals("qcow2") && !backingFormat.equals("raw")) {
      throw new IllegalArgumentException("unsupported backing format '" + backingFormat
          + "' (qcow2 and raw are)");
    }
  }

  /** A safe rebase of {@code image} onto {@code backingFile} of {@code backingFormat}. */
  public static RebaseOptions of(Path image, String backingFile, String backingFormat) {
    return builder(image, backingFile).backingFormat(backingFormat).build();
  }

  /** A builder for a safe, uncompressed rebase onto {@code backingFile} ("" for none). */
  public static Builder builder(Path image, String backingFile) {
    return new Builder(image, backingFile);
  }

  public Builder toBuilder() {
    return new Builder(image, backingFile).backingFormat(backingFormat).unsafe(unsafe)
        .compress(compress).referencePolicy(referencePolicy).keySecret(keySecret)
        .backingKeys(backingKeys).newBackingKeys(newBackingKeys);
  }

  /** One setter per option of {@link RebaseOptions}. */
  public static final class Builder {
    private final Path image;
    private final String backingFile;
    private String backingFormat;
    private boolean unsafe;
    private boolean compress;
    private ReferencePolicy referencePolicy = ReferencePolicy.follow();
    private KeySecret keySecret;
    private BackingKeys backingKeys;
    private BackingKeys newBackingKeys;

    private Builder(Path image, String backingFile) {
      this.image = image;
      this.backingFile = backingFile;
    }

    /** {@code -F}. */
    public Builder backingFormat(String value) {
      backingFormat = value;
      return this;
    }

    /** {@code -u}. */
    public Builder unsafe(boolean value) {
      unsafe = value;
      return this;
    }

    /** {@code -c}. */
    public Builder compress(boolean value) {
      compress = value;
      return this;
    }

    /** Which files may be named and opened. */
    public Builder referencePolicy(ReferencePolicy value) {
      referencePolicy = value;
      return this;
    }

    /** The overlay's passphrase; null for none. */
    public Builder keySecret(KeySecret value) {
      keySecret = value;
      return this;
    }

    /** The old chain's passphrases by depth; null: each takes the overlay's. */
    public Builder backingKeys(BackingKeys value) {
      backingKeys = value;
      return this;
    }

    /** The new backing file's passphrase (depth 1) and its chain's; null: the overlay's. */
    public Builder newBackingKeys(BackingKeys value) {
      newBackingKeys = value;
      return this;
    }

    public RebaseOptions build() {
      return new RebaseOptions(image, backingFile, backingFormat, unsafe, compress,
          referencePolicy, keySecret, backingKeys, newBackingKeys);
    }
  }
}
