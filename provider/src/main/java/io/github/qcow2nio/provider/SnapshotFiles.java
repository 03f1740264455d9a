package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.ReadOnlyFileSystemException;

/**
 * Internal snapshots in the file system's own terms: {@code Files.copy(/disk, /snapshots/NAME)}
 * creates one, {@code Files.copy(/snapshots/NAME, /disk, REPLACE_EXISTING)} reverts to it,
 * {@code Files.delete(/snapshots/NAME)} deletes it and {@code Files.move(/snapshots/A,
 * /snapshots/B)} renames it: each one operation of the core (crash-safe, one header write).
 *
 * <p>Channels open on {@code /disk} see the reverted disk at once (they read and write the active
 * disk, whatever it is now; the size is the snapshot's). A snapshot with an open channel cannot
 * be deleted or replaced: its clusters would be freed under the reader.
 */
final class SnapshotFiles {
  private SnapshotFiles() {}

  /** True when {@code p} names a file in {@code /snapshots}, existing or not. */
  static boolean isSnapshotPath(Qcow2Path p) {
    String[] n = p.toAbsolutePath().normalize().names();
    return n.length == 2 && n[0].equals(Entry.SNAPSHOTS_NAME);
  }

  static String name(Qcow2Path p) {
    return p.toAbsolutePath().normalize().names()[1];
  }

  /** {@code Files.copy(/disk, /snapshots/NAME)}: a snapshot of the active disk. */
  static void create(Qcow2FileSystem fs, Qcow2Path target, boolean replace) throws IOException {
    String name = name(target);
    requireWritable(fs);
    fs.exclusive(() -> {
      if (fs.snapshotId(name) != null) {
        if (!replace) {
          throw new FileAlreadyExistsException(target.toString());
        }
        deleteLocked(fs, target, name);
      } else if (fs.image().findSnapshot(name).isPresent()) {
        throw new FileAlreadyExistsException(target.toString(), null,
            "the image has a snapshot of that ID");
      }
      fs.image().createSnapshot(name);
    });
  }

  /** {@code Files.copy(/snapshots/NAME, /disk, REPLACE_EXISTING)}: a revert. */
  static void revert(Qcow2FileSystem fs, Qcow2Path source) throws IOException {
    requireWritable(fs);
    fs.exclusive(() -> fs.image().applySnapshot(id(fs, source)));
  }

  /** {@code Files.delete(/snapshots/NAME)}. */
  static void delete(Qcow2FileSystem fs, Qcow2Path p) throws IOException {
    requireWritable(fs);
    fs.exclusive(() -> deleteLocked(fs, p, name(p)));
  }

  /** {@code Files.move(/snapshots/A, /snapshots/B)}: a rename, replacing B when asked. */
  static void rename(Qcow2FileSystem fs, Qcow2Path source, Qcow2Path target, boolean replace)
      throws IOException {
    requireWritable(fs);
    fs.exclusive(() -> {
      String id = id(fs, source);
      String to = name(target);
      if (to.equals(name(source))) {
        return;
      }
      if (fs.snapshotId(to) != null) {
        if (!replace) {
          throw new FileAlreadyExistsException(target.toString());
        }
        deleteLocked(fs, target, to);
      }
      fs.image().renameSnapshot(id, to);
      // The snapshot's disk is unchanged: a channel open on it reads on.
      fs.renameSnapshotDisk(name(source), to);
    });
  }

  private static void deleteLocked(Qcow2FileSystem fs, Qcow2Path p, String name)
      throws IOException {
    String id = id(fs, p);
    if (fs.isSnapshotOpen(name)) {
      throw new FileSystemException(p.toString(), null,
          "the snapshot is open; close its channels before deleting it");
    }
    fs.image().deleteSnapshot(id);
    fs.forgetSnapshotDisk(name);
  }

  /** The ID of the snapshot a path names (IDs come first in the core's lookups). */
  private static String id(Qcow2FileSystem fs, Qcow2Path p) throws NoSuchFileException {
    String id = fs.snapshotId(name(p));
    if (id == null) {
      throw new NoSuchFileException(p.toString());
    }
    return id;
  }

  private static void requireWritable(Qcow2FileSystem fs) throws AccessDeniedException {
    if (fs.isReadOnly()) {
      throw new ReadOnlyFileSystemException();
    }
    if (!fs.image().disk().isWritable()) {
      throw new AccessDeniedException(fs.imagePath().toString(), null,
          "the image is not writable (closed, or marked corrupt)");
    }
  }
}
