package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.CreateOptions.Preallocation;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.ResizeOptions;
import io.github.qcow2nio.format.ResizeResult;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.io.PathLocation;
import java.io.IOException;

/**
 * {@code qemu-img resize} for qcow2 (7.2's behaviour and messages, in its order): a v2 image
 * with snapshots is refused; a v3 image with snapshots grows and shrinks (the snapshots keep
 * their clusters); a shrink needs {@code shrink} and drops what lies past the new end, then the
 * file is cut after its last cluster in use; growth may preallocate the added clusters.
 */
public final class Resize {
  /** qemu-img resize's own words for a shrink not asked for; the tool adds its warning. */
  public static final String SHRINK_NOT_ASKED =
      "Use the --shrink option to perform a shrink operation.";

  private Resize() {}

  public static ResizeResult run(ResizeOptions o) throws IOException {
    return run(new PathLocation(o.image()), o);
  }

  /** As above, the image (and every file its chain names) read from {@code loc}. */
  public static ResizeResult run(ImageLocation loc, ResizeOptions o) throws IOException {
    long old;
    long size;
    // With the keys: a LUKS image's added clusters are written (and preallocated) encrypted.
    try (Qcow2Image img = Qcow2Image.open(loc, o.openOptions())) {
      if (img.header().version() == 2 && !img.snapshots().isEmpty()) {
        // Refused whatever the size, as qemu-img refuses it.
        throw new Qcow2Exception("Can't resize a v2 image which has snapshots");
      }
      old = img.disk().size();
      size = o.relative() ? old + o.size() : o.size();
      if (size <= 0 || (o.relative() && o.size() > 0 && size < old)) {
        throw new Qcow2Exception("New image size must be positive");
      }
      if (size < old && !o.shrink()) {
        throw new Qcow2Exception(SHRINK_NOT_ASKED);
      }
      if (size % 512 != 0) {
        throw new Qcow2Exception("The new size must be a multiple of 512");
      }
      Preallocation p = o.preallocation();
      if (p != Preallocation.OFF && size <= old) {
        throw new Qcow2Exception("Preallocation can only be used for growing images");
      }
      if (p == Preallocation.OFF) {
        img.disk().resize(size, true);
      } else {
        // The active disk of an image is always the core's qcow2 disk.
        ((Qcow2Disk) img.disk()).writer().resizePreallocated(size,
            // No zero flags on an encrypted image, as qemu-img: its preallocated clusters read
            // as zeroed host clusters decrypted.
            p == Preallocation.METADATA && img.header().version() == 3
                && !img.header().hasExtendedL2() && img.header().cryptMethod() == 0,
            p == Preallocation.FULL);
      }
      img.disk().flush();
    }
    long fileSize;
    try (HostFile raw = loc.open(true)) {
      raw.lock(LockPermissions.image(true, false));
      if (size < old) {
        FileTrim.trim(raw);
      }
      fileSize = raw.size();
    }
    return new ResizeResult(old, size, fileSize);
  }
}
