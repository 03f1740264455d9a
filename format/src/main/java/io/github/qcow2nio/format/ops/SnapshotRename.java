package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Renames an internal snapshot (QEMU has no command for it): the table rewritten to a new place
 * with the new name, switched with one header write. The new name follows the rules of {@link
 * SnapshotCreate}; the ID, dates and extra data stay.
 */
public final class SnapshotRename {

  /** @param idOrName the snapshot (ID first, then name); @param newName its new name */
  public record Options(String idOrName, String newName) {}

  /** @param before the entry as it was; @param after as it is now */
  public record Result(SnapshotEntry before, SnapshotEntry after) {}

  private SnapshotRename() {}

  public static Result run(Qcow2Image image, Options options) throws IOException {
    String action = "Could not rename snapshot '" + options.idOrName() + "'";
    var store = SnapshotRules.store(image);
    SnapshotRules.refuseDataFile(image, action);
    SnapshotEntry[] change = new SnapshotEntry[2];
    store.rewrite(current -> {
      OptionalInt i = SnapshotRules.find(current, options.idOrName());
      if (i.isEmpty()) {
        throw new NoSuchFileException(image.location().displayName(), null,
            action + ": snapshot not found");
      }
      SnapshotEntry s = current.get(i.getAsInt());
      List<SnapshotEntry> others = new ArrayList<>(current);
      others.remove(i.getAsInt());
      SnapshotRules.checkNewName(image, others, options.newName(), action);
      SnapshotEntry renamed = new SnapshotEntry(s.l1TableOffset(), s.l1Size(), s.id(),
          options.newName(), s.dateSeconds(), s.dateNanos(), s.vmClockNanos(), s.vmStateSize(),
          s.diskSize(), s.icount(), s.extraData());
      List<SnapshotEntry> next = new ArrayList<>(current);
      next.set(i.getAsInt(), renamed);
      SnapshotRules.checkTable(image, next, action);
      change[0] = s;
      change[1] = renamed;
      return next;
    });
    return new Result(change[0], change[1]);
  }
}
