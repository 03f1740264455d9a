package io.github.qcow2nio.format;

import io.github.qcow2nio.format.ops.Amend;
import io.github.qcow2nio.format.ops.Compare;
import io.github.qcow2nio.format.ops.Convert;
import io.github.qcow2nio.format.ops.Measure;
import io.github.qcow2nio.format.ops.Resize;
import java.io.IOException;

/**
 * The qemu-img operations that work on whole images, as library calls: an options record in, a
 * result record out, progress reported to a listener that may cancel. Problems with an image are
 * IOExceptions with qemu-img's wording where a script might match it.
 */
public final class ImageOperations {
  private ImageOperations() {}

  /** {@code qemu-img convert}: copies a disk into a new (or, with -n, existing) image. */
  public static ConvertResult convert(ConvertOptions options, ProgressListener listener)
      throws IOException {
    return Convert.run(options, listener);
  }

  public static ConvertResult convert(ConvertOptions options) throws IOException {
    return convert(options, ProgressListener.NONE);
  }

  /** {@code qemu-img measure}: the size a new image would need. */
  public static MeasureResult measure(MeasureOptions options) throws IOException {
    return Measure.run(options, ProgressListener.NONE);
  }

  public static MeasureResult measure(MeasureOptions options, ProgressListener listener)
      throws IOException {
    return Measure.run(options, listener);
  }

  /** {@code qemu-img compare}: whether two disks read the same, and where they first differ. */
  public static CompareResult compare(CompareOptions options, ProgressListener listener)
      throws IOException {
    return Compare.run(options, listener);
  }

  public static CompareResult compare(CompareOptions options) throws IOException {
    return compare(options, ProgressListener.NONE);
  }

  /**
   * {@code qemu-img amend -o ...}: changes a qcow2 image's compat level, lazy refcounts, refcount
   * width, size or data file name in place, with qemu-img's refusals (the messages are its);
   * nothing is written when the call is refused. The listener follows the refcount rewrite and
   * may cancel between steps: what was done stays (each step is a whole switch).
   */
  public static AmendResult amend(AmendOptions options, ProgressListener listener)
      throws IOException {
    return Amend.run(options, listener);
  }

  public static AmendResult amend(AmendOptions options) throws IOException {
    return amend(options, ProgressListener.NONE);
  }

  /**
   * {@code qemu-img resize} of a qcow2 image, with its refusals and messages: growth (with
   * preallocation when asked), shrinking with {@code --shrink} (also under internal snapshots
   * of a v3 image, as qemu-img 7.2 allows), and the file cut after its last cluster in use.
   */
  public static ResizeResult resize(ResizeOptions options) throws IOException {
    return Resize.run(options);
  }
}
