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
 */
public record ConvertOptions(ImageSource source, Path target, String targetFormat,
    CreateOptions create, boolean noCreate, long sparseSize, boolean compress, boolean bitmaps,
    boolean skipBrokenBitmaps) {

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

  /** qemu-img's defaults: a new image, qemu-img create's options, 4 KiB sparse detection. */
  public static ConvertOptions of(ImageSource source, Path target, String targetFormat) {
    return new ConvertOptions(source, target, targetFormat, null, false, DEFAULT_SPARSE_SIZE,
        false, false);
  }

  public ConvertOptions withCreate(CreateOptions value) {
    return new ConvertOptions(source, target, targetFormat, value, noCreate, sparseSize,
        compress, bitmaps, skipBrokenBitmaps);
  }

  public ConvertOptions withNoCreate(boolean value) {
    return new ConvertOptions(source, target, targetFormat, create, value, sparseSize,
        compress, bitmaps, skipBrokenBitmaps);
  }

  public ConvertOptions withSparseSize(long value) {
    return new ConvertOptions(source, target, targetFormat, create, noCreate, value, compress,
        bitmaps, skipBrokenBitmaps);
  }

  public ConvertOptions withCompress(boolean value) {
    return new ConvertOptions(source, target, targetFormat, create, noCreate, sparseSize, value,
        bitmaps, skipBrokenBitmaps);
  }

  public ConvertOptions withBitmaps(boolean value) {
    return new ConvertOptions(source, target, targetFormat, create, noCreate, sparseSize,
        compress, value, skipBrokenBitmaps);
  }

  public ConvertOptions withSkipBrokenBitmaps(boolean value) {
    return new ConvertOptions(source, target, targetFormat, create, noCreate, sparseSize,
        compress, bitmaps, value);
  }
}
