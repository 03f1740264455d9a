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

  /** @param idOrName the snapshot's ID or name (QEMU looks for the ID first) */
  public record Options(String idOrName) {}

  /** @param snapshot the entry deleted */
  public record Result(SnapshotEntry snapshot) {}

  private SnapshotDelete() {}

  public static Result run(Qcow2Image image, Options options) throws IOException {
    String action = "Could not delete snapshot '" + options.idOrName() + "'";
    var store = SnapshotRules.store(image);
    SnapshotRules.refuseDataFile(image, action);
    SnapshotEntry s = store.delete(current -> {
      OptionalInt i = SnapshotRules.find(current, options.idOrName());
      if (i.isEmpty()) {
        throw new NoSuchFileException(image.location().displayName(), null,
            action + ": snapshot not found");
      }
      return i.getAsInt();
    });
    return new Result(s);
  }
}
