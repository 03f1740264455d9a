package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.disk.Qcow2DiskWriter;
import io.github.qcow2nio.format.disk.SnapshotStore;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.ReadOnlyDiskException;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.struct.SnapshotTable;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.List;
import java.util.OptionalInt;

/**
 * The rules QEMU 7.2 applies to internal snapshots, shared by the snapshot operations: how IDs
 * are made, how a snapshot is found, the limits on the table, and its messages.
 */
final class SnapshotRules {
  /** qemu-img keeps a name in a 256-byte buffer: longer names are cut there, we refuse them. */
  static final int MAX_NAME_BYTES = 255;
  private static final BigInteger ULONG_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private SnapshotRules() {}

  /** The image's snapshot store; a read-only image is refused. */
  static SnapshotStore store(Qcow2Image image) throws ReadOnlyDiskException {
    // The active disk of an image is always the core's qcow2 disk.
    Qcow2DiskWriter w = ((Qcow2Disk) image.disk()).writer();
    if (w == null || !image.disk().isWritable()) {
      throw new ReadOnlyDiskException(image.location().displayName()
          + " is not open for writing; its snapshots cannot change");
    }
    return w.snapshots();
  }

  /** QEMU's lookup for apply and delete: by ID first, then by name. */
  static OptionalInt find(List<SnapshotEntry> list, String idOrName) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).id().equals(idOrName)) {
        return OptionalInt.of(i);
      }
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).name().equals(idOrName)) {
        return OptionalInt.of(i);
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The next ID as QEMU makes it: one more than the largest ID read as {@code strtoul} reads it
   * (leading blanks, an optional sign, decimal digits; anything else counts as 0), printed as an
   * unsigned decimal.
   */
  static String nextId(List<SnapshotEntry> list) {
    BigInteger max = BigInteger.ZERO;
    for (SnapshotEntry s : list) {
      BigInteger v = strtoul(s.id());
      if (v.compareTo(max) > 0) {
        max = v;
      }
    }
    return max.add(BigInteger.ONE).and(ULONG_MAX).toString();
  }

  private static BigInteger strtoul(String s) {
    int i = 0;
    while (i < s.length() && " \t\n\u000b\f\r".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    boolean negative = false;
    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    int start = i;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    if (i == start) {
      return BigInteger.ZERO;
    }
    BigInteger v = new BigInteger(s.substring(start, i));
    if (v.compareTo(ULONG_MAX) > 0) {
      return ULONG_MAX;
    }
    return negative ? v.negate().and(ULONG_MAX) : v;
  }

  /** A new name must fit QEMU's buffer (255 bytes) and be unique on the image. */
  static void checkNewName(Qcow2Image image, List<SnapshotEntry> list, String name,
      String action) throws Qcow2Exception, FileAlreadyExistsException {
    checkNewName(image, list, name, action, true);
  }

  /** As above; {@code unique} false lets a second snapshot of a name in, as qemu-img does. */
  static void checkNewName(Qcow2Image image, List<SnapshotEntry> list, String name,
      String action, boolean unique) throws Qcow2Exception, FileAlreadyExistsException {
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_NAME_BYTES) {
      throw new Qcow2Exception(image.location().displayName() + ": " + action + ": the name is "
          + bytes + " bytes long; QEMU keeps at most " + MAX_NAME_BYTES + " (qemu-img would cut "
          + "it short)");
    }
    for (SnapshotEntry s : list) {
      if (unique && s.name().equals(name)) {
        throw new FileAlreadyExistsException(image.location().displayName(), null,
            "Snapshot '" + name + "' already exists in one or more devices");
      }
    }
  }

  /** qemu-img's lookup for {@code snapshot -d}: by name only. */
  static OptionalInt findByName(List<SnapshotEntry> list, String name) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).name().equals(name)) {
        return OptionalInt.of(i);
      }
    }
    return OptionalInt.empty();
  }

  /** QEMU's limits on a table about to be written: 65536 snapshots, 64 MiB. */
  static void checkTable(Qcow2Image image, List<SnapshotEntry> next, String action)
      throws Qcow2Exception {
    long bytes = 0;
    for (SnapshotEntry s : next) {
      bytes += s.length();
    }
    if (next.size() > SnapshotTable.MAX_SNAPSHOTS || bytes > SnapshotTable.MAX_TABLE_SIZE) {
      throw new Qcow2Exception(image.location().displayName() + ": " + action
          + ": -27 (File too large) (at most " + SnapshotTable.MAX_SNAPSHOTS + " snapshots and "
          + SnapshotTable.MAX_TABLE_SIZE + " bytes of snapshot table; this would be "
          + next.size() + " snapshots, " + bytes + " bytes)");
    }
  }

  /** Snapshots live in the image's own clusters; QEMU refuses them with a data file. */
  static void refuseDataFile(Qcow2Image image, String action) throws Qcow2Exception {
    if (image.header().hasExternalDataFile()) {
      throw new Qcow2Exception(image.location().displayName() + ": " + action
          + ": -95 (Operation not supported) (internal snapshots need the data in the image "
          + "file, not in an external data file)");
    }
  }
}
