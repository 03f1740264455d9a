package io.github.qcow2nio.format;

/**
 * What {@code qemu-img measure} takes: an image to measure, or a size ({@code --size}).
 *
 * @param source the image whose contents a conversion would copy, or null with {@code size}
 * @param size the virtual size when there is no source ({@code --size}), else ignored
 * @param targetFormat "qcow2" or "raw" ({@code -O}, default raw)
 * @param create the target's creation options ({@code -o}: cluster size, compat, refcount
 *     bits, extended L2, preallocation, backing file); its size is ignored
 */
public record MeasureOptions(ImageSource source, long size, String targetFormat,
    CreateOptions create) {

  public MeasureOptions {
    if (!"qcow2".equals(targetFormat) && !"raw".equals(targetFormat)) {
      throw new IllegalArgumentException("unsupported target format '" + targetFormat
          + "' (qcow2 and raw are)");
    }
    if (create == null) {
      create = CreateOptions.defaults(0);
    }
  }
}
