package io.github.qcow2nio.format;

import io.github.qcow2nio.format.disk.RawDisk;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.error.BackingChainException;
import io.github.qcow2nio.format.error.ImageLockedException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.ReferenceRefusedException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.struct.Header;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * Opens the disk below an image, as QEMU resolves it: the name relative to the image's own
 * storage ("file:" taken as QEMU's file protocol), the format given or probed, qcow2 images opened
 * read-only with their own chains, raw files as raw disks, with QEMU's locks; chains that loop or
 * run deeper than allowed are refused.
 */
final class BackingChain {

  /** The disk below, and what to close with the image. */
  record Backing(Closeable owner, VirtualDisk disk) {}

  private BackingChain() {}

  /**
   * Opens backing file {@code backingName} of the image at {@code location} ({@code depth} deep
   * in a chain whose images' identities are {@code chain}); {@code backingFormat} null probes.
   */
  static Backing open(ImageLocation location, String backingName, String backingFormat,
      OpenOptions options, Set<Object> chain, int depth) throws IOException {
    String name = location.displayName();
    if (depth + 1 > options.maxBackingDepth()) {
      throw new BackingChainException(name + ": backing chain deeper than "
          + options.maxBackingDepth() + " images");
    }
    ImageLocation backingLocation;
    try {
      backingLocation = options.referencePolicy().resolve(location,
          withoutFileProtocol(backingName), "backing file");
    } catch (ReferenceRefusedException e) {
      throw e;
    } catch (IOException e) {
      throw new BackingChainException(name + ": cannot resolve backing file '" + backingName
          + "': " + e.getMessage(), e);
    }
    Object id = backingLocation.identity();
    if (chain.contains(id)) {
      throw new BackingChainException(name + ": backing file '" + backingName
          + "' loops back into its own chain");
    }
    String format = backingFormat;
    if (format == null) {
      if (!options.referencePolicy().probesFormats()) {
        // A raw file holding a qcow2 header would be read as qcow2, its own names followed.
        throw new ReferenceRefusedException(name + ": backing file '" + backingName
            + "' has no format named in the image, and " + options.referencePolicy()
            + " does not probe formats (name it, as qemu-img create -F or rebase -u -F do)");
      }
      format = probe(backingLocation, name, backingName);
    }
    return switch (format) {
      case "qcow2" -> openQcow2(backingLocation, name, backingName, options, chain, depth);
      case "raw" -> openRaw(backingLocation, name, backingName, options);
      default -> throw new UnsupportedImageException(name + ": backing file format '" + format
          + "' is not supported (qcow2 and raw are)");
    };
  }

  /**
   * The disk {@code backingName} names as a backing file of the image at {@code location},
   * resolved and opened exactly as the image's own backing file would be (rebase opens its new
   * backing file this way); closing the disk closes everything the open took.
   */
  static VirtualDisk openDisk(ImageLocation location, String backingName, String backingFormat,
      OpenOptions options) throws IOException {
    Set<Object> chain = new java.util.HashSet<>();
    chain.add(location.identity());
    Backing b = open(location, backingName, backingFormat, options, chain, 0);
    return new OwnedDisk(b.disk(), b.owner());
  }

  private static Backing openQcow2(ImageLocation backingLocation, String name,
      String backingName, OpenOptions options, Set<Object> chain, int depth) throws IOException {
    Qcow2Image backing;
    try {
      // The layer's own secret; the layers below it get theirs by depth from it in turn.
      OpenOptions readOnly = options.toBuilder().writable(false).dataFile(null)
          .keySecret(options.backingKeys().forBacking(options.keySecret()))
          .backingKeys(options.backingKeys().below(options.keySecret())).build();
      backing = ImageOpener.open(backingLocation, readOnly, chain, depth + 1);
    } catch (BackingChainException | ImageLockedException | ReferenceRefusedException e) {
      // A lock conflict reads as QEMU's, naming the backing file that is in use; a refusal
      // names the layer whose name was refused.
      throw e;
    } catch (IOException e) {
      // Our own exceptions read well alone; the JDK's need their type ("NoSuchFile...").
      String why = e instanceof Qcow2Exception ? e.getMessage() : e.toString();
      throw new BackingChainException(name + ": cannot open backing file '" + backingName
          + "': " + why, e);
    }
    return new Backing(backing, backing.disk());
  }

  private static Backing openRaw(ImageLocation backingLocation, String name, String backingName,
      OpenOptions options) throws IOException {
    HostFile raw;
    try {
      raw = backingLocation.open(false);
    } catch (IOException e) {
      throw new BackingChainException(name + ": cannot open backing file '" + backingName
          + "': " + e, e);
    }
    try {
      if (options.locking()) {
        raw.lock(LockPermissions.rawBacking());
      }
    } catch (IOException e) {
      try {
        raw.close();
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      if (e instanceof ImageLockedException) {
        throw e;
      }
      throw new BackingChainException(name + ": cannot open backing file '" + backingName
          + "': " + e, e);
    }
    return new Backing(raw, new RawDisk(raw));
  }

  /**
   * A backing name as QEMU reads it: "file:" names QEMU's file protocol, so
   * "file:/images/base.qcow2" is the file /images/base.qcow2. qemu-img stores a backing name with
   * that prefix as given (it strips it from data file names).
   */
  private static String withoutFileProtocol(String name) {
    return name.startsWith("file:") ? name.substring("file:".length()) : name;
  }

  private static String probe(ImageLocation location, String name, String backingName)
      throws IOException {
    try (HostFile f = location.open(false)) {
      ByteBuffer magic = ByteBuffer.allocate(4);
      if (f.read(magic, 0) == 4 && magic.getInt(0) == Header.MAGIC) {
        return "qcow2";
      }
      return "raw";
    } catch (IOException e) {
      throw new BackingChainException(name + ": cannot open backing file '" + backingName
          + "': " + e, e);
    }
  }
}
