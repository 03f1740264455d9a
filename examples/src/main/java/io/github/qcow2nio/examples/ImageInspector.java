package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.EncryptionInfo;
import io.github.qcow2nio.format.ImageMetadata;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.BackingChainException;
import io.github.qcow2nio.format.error.ReferenceRefusedException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.io.ReferencePolicy;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Gathers {@link ImageInfo} for an image, or for each image of its backing chain. Images are
 * opened read-only and alone, without their backing and data files, as {@code qemu-img info}
 * does: a missing backing or data file does not stop {@code info} on the image.
 */
public final class ImageInspector {
  private final HostAllocation allocation;
  private final boolean forceShare;
  private final ReferencePolicy references;

  public ImageInspector(HostAllocation allocation) {
    this(allocation, false, ReferencePolicy.follow());
  }

  private ImageInspector(HostAllocation allocation, boolean forceShare,
      ReferencePolicy references) {
    this.allocation = allocation;
    this.forceShare = forceShare;
    this.references = references;
  }

  /** This inspector opening images as {@code qemu-img info -U} does, or not. */
  public ImageInspector withForceShare(boolean share) {
    return new ImageInspector(allocation, share, references);
  }

  /**
   * This inspector refusing an image that names a backing or data file {@code policy} refuses
   * (though info opens neither), and, for a chain, a backing file whose format is not named
   * when the policy does not probe.
   */
  public ImageInspector withReferencePolicy(ReferencePolicy policy) {
    return new ImageInspector(allocation, forceShare, policy);
  }

  /** The image and every image below it, top first; {@code format} as for {@link #inspect}. */
  public List<ImageInfo> chain(String filename, String format) throws IOException {
    List<ImageInfo> chain = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    String name = filename;
    while (true) {
      Path real = realPath(name);
      if (!seen.add(real)) {
        throw new BackingChainException(
            chain.get(chain.size() - 1).filename() + ": backing chain loops back to " + name);
      }
      if (chain.size() > Qcow2Limits.DEFAULT_MAX_BACKING_DEPTH) {
        throw new BackingChainException(filename + ": backing chain deeper than "
            + Qcow2Limits.DEFAULT_MAX_BACKING_DEPTH + " images");
      }
      ImageInfo info = inspect(name, format);
      chain.add(info);
      if (info.backingFilename() == null) {
        return chain;
      }
      if (info.backingFormat() == null && !references.probesFormats()) {
        // A raw file holding a qcow2 header would be read as qcow2, its own names followed.
        throw new ReferenceRefusedException(name + ": backing file '" + info.backingFilename()
            + "' has no format named in the image, and " + references
            + " does not probe formats");
      }
      name = info.fullBackingFilename();
      format = info.backingFormat();
    }
  }

  /**
   * Information on the image named {@code filename}; {@code format} is "qcow2", "raw", or null to
   * tell from the file's first bytes.
   */
  public ImageInfo inspect(String filename, String format) throws IOException {
    Path path = Path.of(filename);
    // Sized on the side while the image is read (see AllocationAhead).
    HostAllocation disk = AllocationAhead.start(allocation, path);
    if (format == null) {
      format = probe(path);
    }
    return switch (format) {
      case "qcow2" -> qcow2(filename, path, disk);
      case "raw" -> raw(filename, path, disk);
      default -> throw new UnsupportedImageException(
          filename + ": image format '" + format + "' is not supported (qcow2 and raw are)");
    };
  }

  private ImageInfo qcow2(String filename, Path path, HostAllocation disk) throws IOException {
    if (isEncrypted(path)) {
      // qemu-img info needs no key: the core reads the metadata without unlocking the data.
      ImageMetadata m = ImageMetadata.read(new PathLocation(path), forceShare);
      return qcow2Info(filename, path, disk, m.header(), m.extensions(), m.snapshots(),
          m.bitmaps(), m.encryption().format(), luks(m.encryption().luks()));
    }
    try (Qcow2Image image = Qcow2Image.open(new MetadataOnlyLocation(new PathLocation(path)),
        OpenOptions.builder().openBacking(false).forceShare(forceShare).build())) {
      return qcow2Info(filename, path, disk, image.header(), image.extensions(),
          image.snapshots(), image.bitmaps(), null, null);
    }
  }

  private ImageInfo qcow2Info(String filename, Path path, HostAllocation disk, Header h,
      HeaderExtensions ext,
      List<SnapshotEntry> snapshotEntries, List<BitmapDirectoryEntry> bitmapEntries,
      String encryption, ImageInfo.Luks luks) throws IOException {
    String backing = ext.backingFile().orElse(null);
    // Resolved, not opened: the policy's refusal names the file and the policy.
    ReferencePolicyOption.refuseNames(references, path, ext);
    List<ImageInfo.SnapshotInfo> snapshots = new ArrayList<>();
    for (SnapshotEntry s : snapshotEntries) {
      snapshots.add(new ImageInfo.SnapshotInfo(s.id(), s.name(), s.vmStateSize(),
          s.dateSeconds(), s.dateNanos(), s.vmClockNanos(), s.icount()));
    }
    List<ImageInfo.BitmapInfo> bitmaps = new ArrayList<>();
    for (BitmapDirectoryEntry b : bitmapEntries) {
      bitmaps.add(new ImageInfo.BitmapInfo(b.name(), b.granularity(), b.inUse(), b.auto()));
    }
    ImageInfo.Qcow2Info specific = new ImageInfo.Qcow2Info(h.version(),
        h.compressionType() == Header.COMPRESSION_ZSTD ? "zstd" : "zlib",
        h.hasLazyRefcounts(), h.refcountBits(), h.isCorrupt(), h.hasExtendedL2(),
        h.hasExternalDataFile(), ext.dataFile().orElse(null), h.isDataFileRaw(), bitmaps,
        encryption, luks);
    return new ImageInfo(filename, "qcow2", h.size(), disk.allocatedBytes(path),
        h.isDirty(), h.clusterSize(), backing,
        backing == null ? null : combine(filename, backing),
        ext.backingFormat().orElse(null), snapshots, specific);
  }

  private static ImageInfo.Luks luks(EncryptionInfo.Luks l) {
    if (l == null) {
      return null;
    }
    List<ImageInfo.LuksSlot> slots = new ArrayList<>();
    for (EncryptionInfo.KeySlot s : l.slots()) {
      slots.add(new ImageInfo.LuksSlot(s.active(), s.iters(), s.keyOffset(), s.stripes()));
    }
    return new ImageInfo.Luks(l.ivgenAlg(), l.hashAlg(), l.cipherAlg(), l.uuid(),
        l.ivgenHashAlg(), l.cipherMode(), slots, l.payloadOffset(), l.masterKeyIters());
  }

  /** True when the file's header names an encryption method (crypt_method, bytes 32..35). */
  private static boolean isEncrypted(Path path) throws IOException {
    // Through the core's host file: its close gives back this process's image locks on it.
    try (HostFile f = new PathLocation(path).open(false)) {
      ByteBuffer b = ByteBuffer.allocate(4);
      return f.read(b, 32) == 4 && b.getInt(0) != Header.CRYPT_NONE;
    }
  }

  private ImageInfo raw(String filename, Path path, HostAllocation disk) throws IOException {
    // A raw disk's size counts whole 512-byte sectors, as QEMU's block layer sees it.
    long size = Files.size(path);
    long sectors = size / 512 + (size % 512 != 0 ? 1 : 0);
    return new ImageInfo(filename, "raw", sectors * 512, disk.allocatedBytes(path), false,
        0, null, null, null, List.of(), null);
  }

  /** "qcow2" when the file starts with the qcow2 magic, "raw" otherwise. */
  static String probe(Path path) throws IOException {
    // Through the core's host file, whose close gives back the image locks this process holds
    // on the file (closing any channel of it drops them).
    try (HostFile f = new PathLocation(path).open(false)) {
      ByteBuffer magic = ByteBuffer.allocate(4);
      return f.read(magic, 0) == 4 && magic.getInt(0) == Header.MAGIC ? "qcow2" : "raw";
    }
  }

  /**
   * The backing file's name as qemu-img shows it: relative names are taken from the overlay's
   * directory by plain string joining, exactly as given on the command line (no normalising).
   */
  static String combine(String imageName, String backing) {
    if (backing.startsWith("/")) {
      return backing;
    }
    return imageName.substring(0, imageName.lastIndexOf('/') + 1) + backing;
  }

  private static Path realPath(String name) throws IOException {
    Path p = Path.of(name);
    try {
      return p.toRealPath();
    } catch (NoSuchFileException e) {
      return p.toAbsolutePath().normalize();
    }
  }
}
