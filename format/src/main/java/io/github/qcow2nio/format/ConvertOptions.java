package io.github.qcow2nio.format;

import java.nio.file.Path;

/**
 * What {@code qemu-img convert} takes.
 *
 * @param source the image (or chain, or snapshot) to read
 * @param target the file to write
 * @param targetFormat "qcow2" or "raw" ({@code -O})
 * @param create the new qcow2 image's creation options ({@code -o}; the size is taken from the
 *     source; a backing file here is {@code -B}/{@code -F}: only what the source's top layer
 *     allocates is copied, the rest is left to that backing file). Ignored for raw targets and
 *     with {@code noCreate}
 * @param noCreate {@code -n}: write into the existing target, which must be at least as large
 * @param sparseSize {@code -S}: runs of zeros of at least this many bytes (default 4096) are not
 *     written; 0 writes every byte, so the target is fully allocated
 * @param compress {@code -c}: store clusters compressed (needs a compressed-cluster writer)
 * @param bitmaps {@code --bitmaps}: copy the source's persistent bitmaps (qcow2 v3 target)
 * @param skipBrokenBitmaps {@code --skip-broken-bitmaps}: with {@code bitmaps}, leave out
 *     inconsistent (in-use) bitmaps instead of refusing the conversion
 * @param forceWrites force the target to stable storage where the write path orders its writes
 *     and at the end (true by default, as qemu-img's cache modes other than {@code unsafe});
 *     false is {@code -t unsafe}, qemu-img convert's own default: nothing is forced, so the
 *     target survives the end of this process at any point but not a crash of the machine
 *     before the OS has written it back
 * @param targetKeySecret with {@code noCreate}, the passphrase of an existing encrypted target
 *     ({@code --target-image-opts ...,encrypt.key-secret=ID}), or null. A new encrypted target
 *     takes its key from {@code create}'s encryption. As qemu-img 7.2, compression into an
 *     encrypted target is refused ("Compression and encryption not supported at the same
 *     time"); with {@code noCreate} too, where qemu-img would store the compressed clusters
 *     in the clear
 */
public record ConvertOptions(ImageSource source, Path target, String targetFormat,
    CreateOptions create, boolean noCreate, long sparseSize, boolean compress, boolean bitmaps,
    boolean skipBrokenBitmaps, boolean forceWrites, KeySecret targetKeySecret) {

  /** qemu-img's default for {@code -S}: 4 KiB. */
  public static final long DEFAULT_SPARSE_SIZE = 4096;

  public ConvertOptions {
    if (!"qcow2".equals(targetFormat) && !"raw".equals(targetFormat)) {
      throw new IllegalArgumentException("unsupported target format '" + targetFormat
          + "' (qcow2 and raw are)");
    }
    if (sparseSize < 0) {
      throw new IllegalArgumentException("sparse size must not be negative: " + sparseSize);
    }
    if (create == null) {
      create = CreateOptions.defaults(0);
    }
  }

  public ConvertOptions(ImageSource source, Path target, String targetFormat,
      CreateOptions create, boolean noCreate, long sparseSize, boolean compress,
      boolean bitmaps) {
    this(source, target, targetFormat, create, noCreate, sparseSize, compress, bitmaps, false);
  }

  /**
   * The options before {@code forceWrites} and {@code targetKeySecret}: a target forced to
   * stable storage, not encrypted or new.
   */
  public ConvertOptions(ImageSource source, Path target, String targetFormat,
      CreateOptions create, boolean noCreate, long sparseSize, boolean compress,
      boolean bitmaps, boolean skipBrokenBitmaps) {
    this(source, target, targetFormat, create, noCreate, sparseSize, compress, bitmaps,
        skipBrokenBitmaps, true, null);
  }

  /** qemu-img's defaults: a new image, qemu-img create's options, 4 KiB sparse detection. */
  public static ConvertOptions of(ImageSource source, Path target, String targetFormat) {
    return builder(source, target, targetFormat).build();
  }

  /**
   * A builder starting from qemu-img's defaults ({@link #of}). Options vary through a builder,
   * one setter per option, so that a call names what it changes and nothing else.
   */
  public static Builder builder(ImageSource source, Path target, String targetFormat) {
    return new Builder(source, target, targetFormat);
  }

  /** A builder holding these options, to change some and keep the rest. */
  public Builder toBuilder() {
    return new Builder(source, target, targetFormat).create(create).noCreate(noCreate)
        .sparseSize(sparseSize).compress(compress).bitmaps(bitmaps)
        .skipBrokenBitmaps(skipBrokenBitmaps).forceWrites(forceWrites)
        .targetKeySecret(targetKeySecret);
  }

  /** Collects the options; the record checks them when {@link #build} makes it. */
  public static final class Builder {
    private final ImageSource source;
    private final Path target;
    private final String targetFormat;
    private CreateOptions create;
    private boolean noCreate;
    private long sparseSize = DEFAULT_SPARSE_SIZE;
    private boolean compress;
    private boolean bitmaps;
    private boolean skipBrokenBitmaps;
    private boolean forceWrites = true;
    private KeySecret targetKeySecret;

    private Builder(ImageSource source, Path target, String targetFormat) {
      this.source = source;
      this.target = target;
      this.targetFormat = targetFormat;
    }

    /** {@code -o}, {@code -B}, {@code -F}: the new image's creation options. */
    public Builder create(CreateOptions value) {
      create = value;
      return this;
    }

    /** {@code -n}. */
    public Builder noCreate(boolean value) {
      noCreate = value;
      return this;
    }

    /** {@code -S}. */
    public Builder sparseSize(long value) {
      sparseSize = value;
      return this;
    }

    /** {@code -c}. */
    public Builder compress(boolean value) {
      compress = value;
      return this;
    }

    /** {@code --bitmaps}. */
    public Builder bitmaps(boolean value) {
      bitmaps = value;
      return this;
    }

    /** {@code --skip-broken-bitmaps}. */
    public Builder skipBrokenBitmaps(boolean value) {
      skipBrokenBitmaps = value;
      return this;
    }

    /** False as {@code -t unsafe}: nothing of the target is forced to stable storage. */
    public Builder forceWrites(boolean value) {
      forceWrites = value;
      return this;
    }

    /** With {@code -n}: the existing encrypted target's passphrase; null for none. */
    public Builder targetKeySecret(KeySecret value) {
      targetKeySecret = value;
      return this;
    }

    public ConvertOptions build() {
      return new ConvertOptions(source, target, targetFormat, create, noCreate, sparseSize,
          compress, bitmaps, skipBrokenBitmaps, forceWrites, targetKeySecret);
    }
  }
}
