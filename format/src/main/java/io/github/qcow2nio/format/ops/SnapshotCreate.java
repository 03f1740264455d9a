package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.RefcountOverflowException;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates an internal snapshot of the active disk, as {@code qemu-img snapshot -c NAME} does:
 * ID the next decimal number, the date now (to the microsecond, as QEMU takes it), VM clock 0, no
 * VM state, the disk size and 24 bytes of extra data (64-bit VM state size, disk size, icount 0).
 * A name that exists already is refused (QEMU's {@code snapshot-save} refuses it; {@code qemu-img}
 * would add a second snapshot of that name).
 *
 * <p>Crash-safe: the image switches from the old state to the new with one header write (see
 * {@code disk/SnapshotStore}).
 */
public final class SnapshotCreate {

  /**
   * @param name the snapshot's name (at most 255 bytes of UTF-8, unique)
   * @param date its date, or null for now
   * @param vmClockNanos the guest's run time at the snapshot (0 for a disk-only snapshot)
   * @param unique refuse a name that exists already (QEMU's snapshot-save); false adds a second
   *     snapshot of that name, as {@code qemu-img snapshot -c} does
   */
  public record Options(String name, Instant date, long vmClockNanos, boolean unique) {
    public Options {
      if (name == null) {
        throw new NullPointerException("name");
      }
    }

    public Options(String name, Instant date, long vmClockNanos) {
      this(name, date, vmClockNanos, true);
    }

    public static Options named(String name) {
      return new Options(name, null, 0);
    }
  }

  /** @param snapshot the entry as written to the table */
  public record Result(SnapshotEntry snapshot) {}

  private SnapshotCreate() {}

  public static Result run(Qcow2Image image, Options options) throws IOException {
    String action = "Could not create snapshot '" + options.name() + "'";
    var store = SnapshotRules.store(image);
    SnapshotRules.refuseDataFile(image, action);
    Instant date = options.date() != null ? options.date()
        : Instant.now().truncatedTo(ChronoUnit.MICROS);
    try {
      SnapshotEntry s = store.create(current -> {
        SnapshotRules.checkNewName(image, current, options.name(), action, options.unique());
        String id = SnapshotRules.nextId(current);
        if (current.stream().anyMatch(e -> e.id().equals(id))) {
          throw new Qcow2Exception(image.location().displayName() + ": " + action
              + ": -17 (File exists) (the next ID " + id + " is taken)");
        }
        long size = image.disk().size();
        byte[] extra = ByteBuffer.allocate(24).putLong(0).putLong(size).putLong(0).array();
        SnapshotEntry e = new SnapshotEntry(0, 0, id, options.name(), date.getEpochSecond(),
            date.getNano(), options.vmClockNanos(), 0, size, 0, extra);
        List<SnapshotEntry> next = new ArrayList<>(current);
        next.add(e);
        SnapshotRules.checkTable(image, next, action);
        return e;
      });
      return new Result(s);
    } catch (RefcountOverflowException e) {
      throw new Qcow2Exception(image.location().displayName() + ": " + action
          + ": -22 (Invalid argument) (" + e.getMessage() + ")", e);
    }
  }
}
