package io.github.qcow2nio.format;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.ImageLockedException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.ReferenceRefusedException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.util.List;

/**
 * Opens an image's external data file: named by the options (which override the header) or by
 * the header's extension, resolved on the image's own storage, locked as QEMU locks it.
 */
final class ExternalDataFile {
  private ExternalDataFile() {}

  /** The data file of the image at {@code location}, or null when it keeps its data itself. */
  static HostFile open(ImageLocation location, Header h, HeaderExtensions ext,
      OpenOptions options, List<SnapshotEntry> snapshots) throws IOException {
    String name = location.displayName();
    if (!h.hasExternalDataFile()) {
      if (options.dataFile() != null) {
        throw new Qcow2Exception(
            name + ": 'data-file' can only be set for images with an external data file");
      }
      return null;
    }
    String dataName = options.dataFile() != null ? options.dataFile() : ext.dataFile().orElse(null);
    if (dataName == null) {
      throw new Qcow2Exception(name + ": 'data-file' is required for this image");
    }
    if (!snapshots.isEmpty()) {
      throw new CorruptImageException("snapshot table", h.snapshotsOffset(),
          snapshots.size() + " snapshots in an image with an external data file");
    }
    HostFile dataFile;
    try {
      // A name the caller gives is the caller's choice; only the image's own name is policed.
      ImageLocation dataLocation = options.dataFile() != null ? location.resolve(dataName)
          : options.referencePolicy().resolve(location, dataName, "data file");
      dataFile = dataLocation.open(options.writable());
    } catch (ReferenceRefusedException e) {
      throw e;
    } catch (IOException e) {
      throw new Qcow2Exception(name + ": cannot open external data file '" + dataName + "': "
          + e, e);
    }
    try {
      if (options.locking()) {
        dataFile.lock(LockPermissions.dataFile(options.writable(), options.forceShare()));
      }
      return dataFile;
    } catch (IOException e) {
      try {
        dataFile.close();
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      if (e instanceof ImageLockedException) {
        throw e;
      }
      throw new Qcow2Exception(name + ": cannot open external data file '" + dataName + "': "
          + e, e);
    }
  }
}
