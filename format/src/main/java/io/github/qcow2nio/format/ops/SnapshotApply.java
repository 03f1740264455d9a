package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.OptionalInt;

/**
 * Reverts the active disk to an internal snapshot, as {@code qemu-img snapshot -a} does: the disk
 * becomes the snapshot's, with the snapshot's disk size; what only the old active disk referenced
 * is freed. The snapshot stays. Crash-safe: one header write switches the old disk for the new.
 *
 * <p>Refused in QEMU's words: an unknown snapshot, an image with persistent bitmaps (QEMU refuses
 * a revert while any exist, enabled or not), an image with an external data file, and a size
 * change on a version 2 image (QEMU cannot resize v2 images with snapshots).
 */
public final class SnapshotApply {

  /** @param idOrName the snapshot's ID or name (QEMU looks for the ID first) */
  public record Options(String idOrName) {}

  /** @param snapshot the snapshot applied; @param diskSize the disk's size now */
  public record Result(SnapshotEntry snapshot, long diskSize) {}

  private SnapshotApply() {}

  public static Result run(Qcow2Image image, Options options) throws IOException {
    String action = "Could not apply snapshot '" + options.idOrName() + "'";
    var store = SnapshotRules.store(image);
    SnapshotRules.refuseDataFile(image, action + ": Failed to load snapshot");
    boolean v2 = image.header().version() < 3;
    if (!image.bitmaps().isEmpty()) {
      throw new Qcow2Exception(image.location().displayName() + ": " + action
          + ": Device has active dirty bitmaps");
    }
    SnapshotEntry s = store.apply(current -> {
      OptionalInt i = SnapshotRules.find(current, options.idOrName());
      if (i.isEmpty()) {
        throw new NoSuchFileException(image.location().displayName(), null,
            action + ": Failed to load snapshot: No such file or directory");
      }
      SnapshotEntry e = current.get(i.getAsInt());
      long size = e.diskSize() >= 0 ? e.diskSize() : image.disk().size();
      if (size != image.disk().size() && v2) {
        throw new Qcow2Exception(image.location().displayName() + ": " + action
            + ": Failed to load snapshot: Can't resize a v2 image which has snapshots");
      }
      return i.getAsInt();
    }, true);
    return new Result(s, image.disk().size());
  }
}
