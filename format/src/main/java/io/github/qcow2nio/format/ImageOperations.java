package io.github.qcow2nio.format;

import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.ops.Amend;
import io.github.qcow2nio.format.ops.Commit;
import io.github.qcow2nio.format.ops.Compare;
import io.github.qcow2nio.format.ops.Convert;
import io.github.qcow2nio.format.ops.Dd;
import io.github.qcow2nio.format.ops.Inspect;
import io.github.qcow2nio.format.ops.KeySlotAmend;
import io.github.qcow2nio.format.ops.Measure;
import io.github.qcow2nio.format.ops.Rebase;
import io.github.qcow2nio.format.ops.Resize;
import java.io.IOException;
import java.nio.file.Path;

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
   * {@code qemu-img dd}: copies a stretch of a disk, every byte of it, into a new image of its
   * size (see {@link DdOptions} for how skip and count measure it).
   */
  public static DdResult dd(DdOptions options, ProgressListener listener) throws IOException {
    return Dd.run(options, listener);
  }

  public static DdResult dd(DdOptions options) throws IOException {
    return dd(options, ProgressListener.NONE);
  }

  /**
   * Inspects an image before anything uses it: reads only its first cluster (at most 2 MiB) and a
   * few signature bytes, follows no name, takes no lock, and judges what it finds under
   * {@code policy}. An image whose header is malformed is an IOException naming the field.
   */
  public static InspectionResult inspect(ImageLocation image, InspectionPolicy policy)
      throws IOException {
    return Inspect.judge(image, Inspect.report(image), policy);
  }

  public static InspectionResult inspect(Path image, InspectionPolicy policy) throws IOException {
    return inspect(new PathLocation(image), policy);
  }

  /**
   * {@code qemu-img commit}: writes what the overlay (and, with a deeper base, every layer down
   * to it) allocates into the base image, then empties the overlay unless told to keep it. The
   * base is durable before the overlay changes: a crash leaves both readable, at most leaking
   * clusters, the overlay reading as before and each cluster of the base old or committed.
   *
   * @throws java.io.InterruptedIOException when the listener cancels (what was committed so far
   *     stays in the base; the overlay is unchanged)
   */
  public static CommitResult commit(CommitOptions options, ProgressListener listener)
      throws IOException {
    return Commit.run(options, listener);
  }

  public static CommitResult commit(CommitOptions options) throws IOException {
    return commit(options, ProgressListener.NONE);
  }

  /**
   * {@code qemu-img rebase}: gives an overlay a new backing file (or none, flattening it). Safe
   * by default: the sectors that would read differently through the new backing file are copied
   * into the overlay first, forced, and only then does the header name the new file. Unsafe
   * ({@code -u}): the header alone.
   *
   * @throws java.io.InterruptedIOException when the listener cancels (the overlay keeps its old
   *     backing file and reads as before)
   */
  public static RebaseResult rebase(RebaseOptions options, ProgressListener listener)
      throws IOException {
    return Rebase.run(options, listener);
  }

  public static RebaseResult rebase(RebaseOptions options) throws IOException {
    return rebase(options, ProgressListener.NONE);
  }

  /**
   * {@code qemu-img amend -o ...}: changes a qcow2 image's compat level, lazy refcounts, refcount
   * width, size or data file name in place, with qemu-img's refusals (the messages are its);
   * nothing is written when the call is refused. The listener follows the refcount rewrite and
   * may cancel between steps: what was done stays (each step is a whole switch). With
   * {@link AmendOptions#keySlots()} (alone), adds or removes a LUKS key slot of an encrypted
   * image unlocked with {@link AmendOptions#keySecret()}, as {@code -o encrypt.state=...} does.
   */
  public static AmendResult amend(AmendOptions options, ProgressListener listener)
      throws IOException {
    if (options.keySlots() != null) {
      return KeySlotAmend.run(options, EncryptionOpen::secretBytes, listener);
    }
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
