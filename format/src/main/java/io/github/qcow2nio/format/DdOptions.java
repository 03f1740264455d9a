package io.github.qcow2nio.format;

import java.nio.file.Path;

/**
 * What {@code qemu-img dd} takes. As qemu-img 7.2 counts them, {@code count} blocks are measured
 * from the start of the input, not from {@code skip}: the output holds the input's bytes from
 * {@code skip * blockSize} up to {@code count * blockSize} (or the input's end, whichever comes
 * first).
 *
 * @param source the image to read ({@code if=}, {@code -f}, {@code -U})
 * @param target the image to create ({@code of=}); an existing file is replaced
 * @param targetFormat "qcow2" or "raw" ({@code -O}, default raw)
 * @param blockSize {@code bs=}: 1 to 2^31-1 bytes, default 512
 * @param count {@code count=}: blocks, or -1 for the whole input
 * @param skip {@code skip=}: blocks of the input left out at its start
 */
public record DdOptions(ImageSource source, Path target, String targetFormat, long blockSize,
    long count, long skip) {

  /** qemu-img dd's block size without {@code bs=}. */
  public static final long DEFAULT_BLOCK_SIZE = 512;
  /** The largest {@code bs=} qemu-img dd takes. */
  public static final long MAX_BLOCK_SIZE = Integer.MAX_VALUE;

  public DdOptions {
    if (source == null || target == null) {
      throw new NullPointerException("dd needs a source and a target");
    }
    if (!"qcow2".equals(targetFormat) && !"raw".equals(targetFormat)) {
      throw new IllegalArgumentException("unsupported target format '" + targetFormat
          + "' (qcow2 and raw are)");
    }
    if (blockSize < 1 || blockSize > MAX_BLOCK_SIZE) {
      throw new IllegalArgumentException("block size must be between 1 and " + MAX_BLOCK_SIZE
          + ": " + blockSize);
    }
    if (count < -1 || skip < 0) {
      throw new IllegalArgumentException("count and skip must not be negative");
    }
  }

  /** A builder: the whole input, 512-byte blocks, a raw target. */
  public static Builder builder(ImageSource source, Path target) {
    return new Builder(source, target);
  }

  /** Collects the options, one setter per {@code qemu-img dd} operand or option. */
  public static final class Builder {
    private final ImageSource source;
    private final Path target;
    private String targetFormat = "raw";
    private long blockSize = DEFAULT_BLOCK_SIZE;
    private long count = -1;
    private long skip;

    private Builder(ImageSource source, Path target) {
      this.source = source;
      this.target = target;
    }

    /** {@code -O}: "qcow2" or "raw". */
    public Builder targetFormat(String value) {
      targetFormat = value;
      return this;
    }

    /** {@code bs=}. */
    public Builder blockSize(long value) {
      blockSize = value;
      return this;
    }

    /** {@code count=}; -1 for all. */
    public Builder count(long value) {
      count = value;
      return this;
    }

    /** {@code skip=}. */
    public Builder skip(long value) {
      skip = value;
      return this;
    }

    public DdOptions build() {
      return new DdOptions(source, target, targetFormat, blockSize, count, skip);
    }
  }
}
