package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.OptionalInt;

/**
 * Deletes an internal snapshot, as {@code qemu-img snapshot -d} does: its entry removed, its
 * tree's references dropped (clusters at zero freed), its L1 table freed, and active clusters it
 * shared marked owned again (COPIED). Crash-safe: one header write switches the whole change.
 */
public final class SnapshotDelete {

  /**
   * @param idOrName the snapshot's ID or name (QEMU looks for the ID first)
   * @param byNameOnly look for the name only, as {@code qemu-img snapshot -d} does
   */
  public record Options(String idOrName, boolean byNameOnly) {
    public Options(String idOrName) {
      this(idOrName, false);
    }
  }

  /** @param snapshot the entry deleted */
  public record Result(SnapshotEntry snapshot) {}

  private SnapshotDelete() {}

  public static Result run(Qcow2Image image, Options options) throws IOException {
    String action = "Could not delete snapshot '" + options.idOrName() + "'";
    var store = SnapshotRules.store(image);
    SnapshotRules.refuseDataFile(image, action);
    SnapshotEntry s = store.delete(current -> {
      // qemu-img snapshot -d looks for the name only; QEMU's other callers try the ID first.
      OptionalInt i = options.byNameOnly()
          ? SnapshotRules.findByName(current, options.idOrName())
          : SnapshotRules.find(current, options.idOrName());
      if (i.isEmpty()) {
        throw new NoSuchFileException(image.location().displayName(), null,
            action + ": snapshot not found");
      }
      return i.getAsInt();
    });
    return new Result(s);
  }
}
