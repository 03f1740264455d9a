package io.github.qcow2nio.format;

import io.github.qcow2nio.format.codec.ClusterCodec;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.disk.RawDisk;
import io.github.qcow2nio.format.disk.VirtualDisk;
import io.github.qcow2nio.format.error.BackingChainException;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.ImageLockedException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.disk.Qcow2DiskWriter;
import io.github.qcow2nio.format.meta.BitmapTracker;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.L2Cache;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.meta.RefcountRepair;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.struct.SnapshotTable;
import io.github.qcow2nio.format.io.StructReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An open qcow2 image: its header and metadata, its active disk, its snapshots' disks, and the
 * backing chain below it. Closing the image closes every file it opened.
 *
 * <p>Unless {@link OpenOptions#locking()} is off, opening takes QEMU's image locks on the image,
 * its backing files and its data file, as qemu-io/qemu-img 7.2 do for the same open (the table
 * is in {@link LockPermissions} and format/LOCKING.md), and fails with an
 * {@link ImageLockedException} in QEMU's words when another program or another open in this JVM
 * holds one of them in conflict. Closing releases them.
 */
public final class Qcow2Image implements Closeable {
  private final ImageLocation location;
  private final HostFile file;
  private final Header header;
  private final HeaderUpdater headerUpdater;
  private final HeaderExtensions extensions;
  private final List<SnapshotEntry> snapshots;
  private final List<BitmapDirectoryEntry> bitmaps;
  private final HostFile dataFile;
  private final Closeable backingOwner;
  private final VirtualDisk backingDisk;
  private final String backingFormat;
  private final Qcow2Disk disk;
  private final OpenOptions options;
  private final ClusterCodec codec;

  private Qcow2Image(ImageLocation location, HostFile file, Header header,
      HeaderExtensions extensions, List<SnapshotEntry> snapshots,
      List<BitmapDirectoryEntry> bitmaps, HostFile dataFile, Closeable backingOwner,
      VirtualDisk backingDisk, String backingFormat, long[] l1, OpenOptions options)
      throws UnsupportedImageException {
    this.location = location;
    this.file = file;
    this.header = header;
    this.headerUpdater = new HeaderUpdater(file, header);
    this.extensions = extensions;
    this.snapshots = List.copyOf(snapshots);
    this.bitmaps = List.copyOf(bitmaps);
    this.dataFile = dataFile;
    this.backingOwner = backingOwner;
    this.backingDisk = backingDisk;
    this.backingFormat = backingFormat;
    this.options = options;
    this.codec = ClusterCodec.forType(header.compressionType(), location.displayName());
    this.disk = newDisk(location.displayName(), header.size(), l1, header.l1TableOffset(),
        backingDisk);
  }

  /** Opens the image at {@code path} read-only, with its backing chain. */
  public static Qcow2Image open(Path path) throws IOException {
    return open(new PathLocation(path), OpenOptions.readOnly());
  }

  public static Qcow2Image open(Path path, OpenOptions options) throws IOException {
    return open(new PathLocation(path), options);
  }

  /**
   * Creates an image as {@code qemu-img create -f qcow2} would (an existing file is replaced) and
   * opens it with {@code open}. A negative size takes the backing file's size.
   */
  public static Qcow2Image create(ImageLocation location, CreateOptions options, OpenOptions open)
      throws IOException {
    return Qcow2Creator.create(location, options, open);
  }

  /** Creates an image at {@code path} and opens it read-write. */
  public static Qcow2Image create(Path path, CreateOptions options) throws IOException {
    return Qcow2Creator.create(new PathLocation(path), options, OpenOptions.readWrite());
  }

  public static Qcow2Image open(ImageLocation location, OpenOptions options) throws IOException {
    return open(location, options, new HashSet<>(), 0);
  }

  private static Qcow2Image open(ImageLocation location, OpenOptions options, Set<Object> chain,
      int depth) throws IOException {
    chain.add(location.identity());
    HostFile file = location.open(options.writable());
    boolean ok = false;
    List<Closeable> opened = new ArrayList<>();
    try {
      // Before the first byte is read, as QEMU: a writer elsewhere may be mid-update.
      if (options.locking()) {
        file.lock(LockPermissions.image(options.writable(), options.forceShare()));
      }
      Qcow2Image image = openOn(location, file, options, chain, depth, opened);
      ok = true;
      return image;
    } finally {
      if (!ok) {
        for (Closeable c : opened) {
          closeQuietly(c);
        }
        closeQuietly(file);
      }
    }
  }

  private static Qcow2Image openOn(ImageLocation location, HostFile file, OpenOptions options,
      Set<Object> chain, int depth, List<Closeable> opened) throws IOException {
    String name = location.displayName();
    long fileSize = file.size();
    // The header and its extensions may fill all of cluster 0; its size is in bytes 20..23.
    ByteBuffer cluster0 = readStart(file, Math.min(fileSize, 4096));
    int bits = cluster0.remaining() >= 24 ? cluster0.getInt(20) : 0;
    if (bits > 12 && bits <= Header.MAX_CLUSTER_BITS && fileSize > cluster0.remaining()) {
      cluster0 = readStart(file, Math.min(fileSize, 1L << bits));
    }
    Header h = Header.parse(cluster0, name);
    HeaderExtensions ext = HeaderExtensions.parse(cluster0, h);

    checkFeatures(h, ext, name);
    if (h.cryptMethod() != Header.CRYPT_NONE) {
      String method = switch (h.cryptMethod()) {
        case Header.CRYPT_AES -> "AES";
        case Header.CRYPT_LUKS -> "LUKS";
        default -> "unknown method " + Integer.toUnsignedString(h.cryptMethod());
      };
      throw new UnsupportedImageException(
          name + ": encryption not supported yet (the image is encrypted with " + method + ")");
    }
    if (ext.crypto().isPresent()) {
      throw new CorruptImageException("full disk encryption header extension", h.extensionsStart(),
          "present in an image that is not LUKS-encrypted");
    }
    if (h.isCorrupt() && options.writable()) {
      throw new UnsupportedImageException(
          name + ": image is marked corrupt; it can only be opened read-only");
    }
    if (h.hasExtendedL2() && h.clusterBits() < 14) {
      throw new CorruptImageException("qcow2 header field cluster_bits", 20,
          "extended L2 entries need clusters of at least 16 KiB (subclusters of 512 bytes); "
              + "cluster size is " + h.clusterSize());
    }
    if (h.isDataFileRaw() && !h.hasExternalDataFile()) {
      throw new CorruptImageException("qcow2 header field autoclear_features", 88,
          "data-file-raw is set without the external data file feature");
    }
    validateTables(h, fileSize);

    long[] l1 = readL1(file, h, fileSize);
    StructReader structs = new StructReader(file, fileSize);
    List<SnapshotEntry> snapshots = SnapshotTable.read(structs, h);
    List<BitmapDirectoryEntry> bitmaps = List.of();
    if (ext.bitmaps().isPresent() && h.hasBitmaps()) {
      bitmaps = BitmapDirectoryEntry.readDirectory(structs, h, ext.bitmaps().get());
    }

    HostFile dataFile = null;
    if (h.hasExternalDataFile()) {
      String dataName = options.dataFile() != null ? options.dataFile() : ext.dataFile().orElse(null);
      if (dataName == null) {
        throw new Qcow2Exception(name + ": 'data-file' is required for this image");
      }
      if (!snapshots.isEmpty()) {
        throw new CorruptImageException("snapshot table", h.snapshotsOffset(),
            snapshots.size() + " snapshots in an image with an external data file");
      }
      try {
        dataFile = location.resolve(dataName).open(options.writable());
      } catch (IOException e) {
        throw new Qcow2Exception(name + ": cannot open external data file '" + dataName + "': "
            + e, e);
      }
      opened.add(dataFile);
      try {
        if (options.locking()) {
          dataFile.lock(LockPermissions.dataFile(options.writable(), options.forceShare()));
        }
      } catch (ImageLockedException e) {
        throw e;
      } catch (IOException e) {
        throw new Qcow2Exception(name + ": cannot open external data file '" + dataName + "': "
            + e, e);
      }
    } else if (options.dataFile() != null) {
      throw new Qcow2Exception(
          name + ": 'data-file' can only be set for images with an external data file");
    }

    Closeable backingOwner = null;
    VirtualDisk backingDisk = null;
    String backingFormat = ext.backingFormat().orElse(null);
    if (ext.backingFile().isPresent() && options.openBacking()) {
      String backingName = ext.backingFile().get();
      if (depth + 1 > options.maxBackingDepth()) {
        throw new BackingChainException(name + ": backing chain deeper than "
            + options.maxBackingDepth() + " images");
      }
      ImageLocation backingLocation;
      try {
        backingLocation = location.resolve(withoutFileProtocol(backingName));
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
        format = probe(backingLocation, name, backingName);
      }
      switch (format) {
        case "qcow2" -> {
          Qcow2Image backing;
          try {
            backing = open(backingLocation, options.withWritable(false).withDataFile(null),
                chain, depth + 1);
          } catch (BackingChainException | ImageLockedException e) {
            // A lock conflict reads as QEMU's, naming the backing file that is in use.
            throw e;
          } catch (IOException e) {
            // Our own exceptions read well alone; the JDK's need their type ("NoSuchFile...").
            String why = e instanceof Qcow2Exception ? e.getMessage() : e.toString();
            throw new BackingChainException(name + ": cannot open backing file '" + backingName
                + "': " + why, e);
          }
          backingOwner = backing;
          backingDisk = backing.disk();
        }
        case "raw" -> {
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
            closeQuietly(raw);
            if (e instanceof ImageLockedException) {
              throw e;
            }
            throw new BackingChainException(name + ": cannot open backing file '" + backingName
                + "': " + e, e);
          }
          backingOwner = raw;
          backingDisk = new RawDisk(raw);
        }
        default -> throw new UnsupportedImageException(name + ": backing file format '" + format
            + "' is not supported (qcow2 and raw are)");
      }
      opened.add(backingOwner);
    }
    Qcow2Image image = new Qcow2Image(location, file, h, ext, snapshots, bitmaps, dataFile,
        backingOwner, backingDisk, backingFormat, l1, options);
    if (options.writable()) {
      image.enableWrites();
    }
    return image;
  }

  /**
   * Prepares a writable open as QEMU does: unknown autoclear bits are cleared before anything else
   * is written (the bitmaps bit only when the bitmaps are already inconsistent), a dirty image gets
   * its refcounts rebuilt, and enabled persistent bitmaps start tracking changes.
   */
  private void enableWrites() throws IOException {
    if (!file.isWritable()) {
      throw new io.github.qcow2nio.format.error.ReadOnlyDiskException(
          location.displayName() + " cannot be opened for writing");
    }
    Header h = headerUpdater.header();
    if (extensions.backingFile().isPresent() && backingDisk == null) {
      // Copy-on-write must read the backing file; without it partial writes would copy zeros.
      throw new UnsupportedImageException(location.displayName() + ": the image has a backing "
          + "file; opening it writable needs its backing chain (openBacking)");
    }
    if (h.version() >= 3) {
      // The bitmaps bit stays when the bitmaps are consistent: they are kept up to date below.
      long known = Features.AUTOCLEAR_DATA_FILE_RAW
          | (bitmaps.isEmpty() ? 0 : Features.AUTOCLEAR_BITMAPS);
      long keep = h.autoclearFeatures() & known;
      if (keep != h.autoclearFeatures()) {
        headerUpdater.setAutoclearFeatures(keep);
      }
    }
    RefcountManager refcounts = RefcountManager.load(file, headerUpdater);
    if (h.isDirty()) {
      RefcountRepair.rebuild(file, headerUpdater, refcounts, disk.l1(), snapshots,
          extensions, bitmaps, dataFile != null);
      refcounts.flush();
      file.force();
      headerUpdater.setIncompatibleFeatures(
          headerUpdater.header().incompatibleFeatures() & ~Features.INCOMPAT_DIRTY);
    }
    List<long[]> fixed = new ArrayList<>();
    if (!snapshots.isEmpty()) {
      long tableBytes = 0;
      for (SnapshotEntry s : snapshots) {
        tableBytes += s.length();
        fixed.add(new long[] {s.l1TableOffset(), 8L * s.l1Size()});
      }
      fixed.add(new long[] {h.snapshotsOffset(), tableBytes});
    }
    Qcow2DiskWriter writer = new Qcow2DiskWriter(disk, headerUpdater, refcounts,
        !snapshots.isEmpty(), fixed);
    if (!bitmaps.isEmpty()) {
      writer.setBitmaps(BitmapTracker.open(file, headerUpdater.header(),
          extensions.bitmaps().get(), bitmaps, h.size()));
    }
    disk.enableWrites(writer);
  }

  private static ByteBuffer readStart(HostFile file, long length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) length);
    file.read(b, 0);
    return b.flip();
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

  private static void checkFeatures(Header h, HeaderExtensions ext, String name)
      throws UnsupportedImageException {
    long unknown = h.incompatibleFeatures() & ~Features.INCOMPAT_KNOWN;
    if (unknown == 0) {
      return;
    }
    List<String> names = new ArrayList<>();
    for (int bit = 0; bit < 64; bit++) {
      if ((unknown & (1L << bit)) != 0) {
        int b = bit;
        names.add(ext.featureNames()
            .flatMap(t -> t.name(Features.TYPE_INCOMPATIBLE, b))
            .map(n -> n + " (bit " + b + ")")
            .orElse("unknown incompatible feature bit " + b));
      }
    }
    throw new UnsupportedImageException(
        name + ": unsupported qcow2 feature(s): " + String.join(", ", names));
  }

  private static void validateTables(Header h, long fileSize) throws CorruptImageException {
    long cmask = h.clusterSize() - 1L;
    if (h.refcountTableClusters() == 0) {
      throw new CorruptImageException("qcow2 header field refcount_table_clusters", 56,
          "image does not contain a reference count table");
    }
    long rtBytes = Integer.toUnsignedLong(h.refcountTableClusters()) * h.clusterSize();
    if (rtBytes > Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES) {
      throw new CorruptImageException("refcount table", h.refcountTableOffset(),
          rtBytes + " bytes; at most " + Qcow2Limits.MAX_REFCOUNT_TABLE_BYTES);
    }
    if ((h.refcountTableOffset() & cmask) != 0 || h.refcountTableOffset() <= 0
        || h.refcountTableOffset() > Qcow2Limits.MAX_HOST_OFFSET) {
      throw new CorruptImageException("refcount table", h.refcountTableOffset(),
          "offset is not a nonzero multiple of the cluster size " + h.clusterSize());
    }
    if ((h.snapshotsOffset() & cmask) != 0 || h.snapshotsOffset() < 0) {
      throw new CorruptImageException("snapshot table", h.snapshotsOffset(),
          "offset is not a multiple of the cluster size " + h.clusterSize());
    }
    long l1Bytes = Integer.toUnsignedLong(h.l1Size()) * 8;
    if (l1Bytes > Qcow2Limits.MAX_L1_BYTES) {
      throw new CorruptImageException("active L1 table", h.l1TableOffset(),
          Integer.toUnsignedString(h.l1Size()) + " entries exceed 32 MiB");
    }
    if ((h.l1TableOffset() & cmask) != 0 || h.l1TableOffset() < 0
        || (h.l1Size() != 0 && h.l1TableOffset() == 0)) {
      throw new CorruptImageException("active L1 table", h.l1TableOffset(),
          "offset is not a nonzero multiple of the cluster size " + h.clusterSize());
    }
    if (h.size() < 0) {
      throw new CorruptImageException("qcow2 header field size", 24,
          "virtual size " + Long.toUnsignedString(h.size()) + " is too big");
    }
    int l2Bits = h.clusterBits() - (h.hasExtendedL2() ? 4 : 3);
    int shift = h.clusterBits() + l2Bits;
    long needed = (h.size() >>> shift) + ((h.size() & ((1L << shift) - 1)) != 0 ? 1 : 0);
    if (needed > Integer.MAX_VALUE) {
      throw new CorruptImageException("qcow2 header field size", 24,
          "image is too big: " + h.size() + " bytes need " + needed + " L1 entries");
    }
    if (Integer.toUnsignedLong(h.l1Size()) < needed) {
      throw new CorruptImageException("qcow2 header field l1_size", 36,
          "L1 table is too small: " + Integer.toUnsignedString(h.l1Size())
              + " entries; a disk of " + h.size() + " bytes needs " + needed);
    }
  }

  private static long[] readL1(HostFile file, Header h, long fileSize) throws IOException {
    int n = h.l1Size();
    if (n == 0) {
      return new long[0];
    }
    ByteBuffer buf = new StructReader(file, fileSize).read("active L1 table", h.l1TableOffset(),
        n * 8);
    long[] l1 = new long[n];
    LongBuffer lb = buf.asLongBuffer();
    lb.get(l1);
    return l1;
  }

  private Qcow2Disk newDisk(String name, long size, long[] l1, long l1Offset,
      VirtualDisk backing) {
    boolean ext = header.hasExtendedL2();
    Qcow2Disk.Layout layout = new Qcow2Disk.Layout(header.clusterBits(), ext,
        header.version() == 2, header.hasExternalDataFile(), size);
    long budget = options.l2CacheBytes();
    if (budget == 0) {
      long coveredPerTable = 1L << (header.clusterBits() + header.clusterBits() - (ext ? 4 : 3));
      long tables = Math.max(1, (size + coveredPerTable - 1) / coveredPerTable);
      budget = Math.min(OpenOptions.DEFAULT_MAX_L2_CACHE, tables * header.clusterSize());
    }
    int capacity = L2Cache.capacityFor(budget, header.clusterSize());
    if (options.writable()) {
      // Dirty tables stay cached until a flush, and a cache full of them costs a flush (four
      // forces): room for QEMU's default budget in tables, whatever the size at open (a disk may
      // grow), unless the caller set a budget. Tables take memory only once used.
      int room = options.l2CacheBytes() == 0
          ? Math.min(8192, L2Cache.capacityFor(OpenOptions.DEFAULT_MAX_L2_CACHE,
              header.clusterSize()))
          : Math.min(16, Math.max(4, (4 << 20) / header.clusterSize()));
      capacity = Math.max(capacity, room);
    }
    L2Cache cache = new L2Cache(file, header.clusterSize(), capacity);
    return new Qcow2Disk(name, file, dataFile != null ? dataFile : file, layout, l1, l1Offset,
        cache, codec, backing);
  }

  /** The disk of the active layer, with the backing chain below it. */
  public Qcow2Disk disk() {
    return disk;
  }

  /**
   * The read-only disk of an internal snapshot, found by name or, failing that, by ID. Its size is
   * the size recorded in the snapshot (the current size when the entry records none).
   */
  public VirtualDisk snapshotDisk(String nameOrId) throws IOException {
    SnapshotEntry s = findSnapshot(nameOrId)
        .orElseThrow(() -> new java.nio.file.NoSuchFileException(
            location.displayName() + ": no snapshot named '" + nameOrId + "'"));
    String l1What = "L1 table of snapshot '" + s.name() + "'";
    if ((s.l1TableOffset() & (header.clusterSize() - 1L)) != 0 || s.l1TableOffset() < 0) {
      throw new CorruptImageException(l1What, s.l1TableOffset(),
          "offset is not a multiple of the cluster size " + header.clusterSize());
    }
    if (Integer.toUnsignedLong(s.l1Size()) > Qcow2Limits.MAX_L1_ENTRIES) {
      throw new CorruptImageException(l1What, s.l1TableOffset(),
          Integer.toUnsignedString(s.l1Size()) + " entries exceed 32 MiB");
    }
    long size = s.diskSize() >= 0 ? s.diskSize() : header.size();
    // An L1 table holds at most 32 MiB of entries; a recorded size beyond what they map is
    // corrupt, and would overflow the guest-offset arithmetic of the read path.
    int l2Bits = header.clusterBits() - (header.hasExtendedL2() ? 4 : 3);
    long maxSize = Qcow2Limits.MAX_L1_ENTRIES << (header.clusterBits() + l2Bits);
    if (size > maxSize) {
      throw new CorruptImageException("snapshot table (snapshot '" + s.name() + "')",
          header.snapshotsOffset(), "disk size " + size + " exceeds the " + maxSize
              + " bytes an L1 table of 32 MiB can map");
    }
    long fileSize = file.size();
    long[] l1 = new long[0];
    if (s.l1Size() > 0) {
      // Read (bounds-checked against the file) before allocating the table's array.
      ByteBuffer buf = new StructReader(file, fileSize).read(l1What, s.l1TableOffset(),
          s.l1Size() * 8);
      l1 = new long[s.l1Size()];
      buf.asLongBuffer().get(l1);
    }
    return newDisk(location.displayName() + " (snapshot " + s.name() + ")", size, l1,
        s.l1TableOffset(), backingDisk);
  }

  public Optional<SnapshotEntry> findSnapshot(String nameOrId) {
    for (SnapshotEntry s : snapshots) {
      if (s.name().equals(nameOrId)) {
        return Optional.of(s);
      }
    }
    for (SnapshotEntry s : snapshots) {
      if (s.id().equals(nameOrId)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The header as it is now (writes keep it current). */
  public Header header() {
    return headerUpdater.header();
  }

  public HeaderExtensions extensions() {
    return extensions;
  }

  public List<SnapshotEntry> snapshots() {
    return snapshots;
  }

  public List<BitmapDirectoryEntry> bitmaps() {
    return bitmaps;
  }

  public ImageLocation location() {
    return location;
  }

  /** The backing file name as the header records it. */
  public Optional<String> backingFile() {
    return extensions.backingFile();
  }

  /** The backing format as the header records it (absent when the header names none). */
  public Optional<String> backingFormat() {
    return Optional.ofNullable(backingFormat);
  }

  /** The opened backing image, when the backing file is a qcow2 image. */
  public Optional<Qcow2Image> backingImage() {
    return backingOwner instanceof Qcow2Image q ? Optional.of(q) : Optional.empty();
  }

  /** The disk below this image, qcow2 or raw, when there is one and it was opened. */
  public Optional<VirtualDisk> backingDisk() {
    return Optional.ofNullable(backingDisk);
  }

  /** The external data file's name (the option given at open, or the header's). */
  public Optional<String> dataFileName() {
    if (!header.hasExternalDataFile()) {
      return Optional.empty();
    }
    return Optional.ofNullable(options.dataFile()).or(extensions::dataFile);
  }

  /** The size of the image file in bytes. */
  public long fileSize() throws IOException {
    return file.size();
  }

  public HostFile hostFile() {
    return file;
  }

  public OpenOptions options() {
    return options;
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    if (disk.writer() != null) {
      try {
        disk.writer().close();
      } catch (IOException e) {
        first = e;
      }
    }
    for (Closeable c : new Closeable[] {backingOwner, dataFile, file}) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static void closeQuietly(Closeable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (IOException ignored) {
      // The open already failed; that failure is the one to report.
    }
  }
}
