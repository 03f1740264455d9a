package io.github.qcow2nio.format;

import io.github.qcow2nio.format.block.SequentialWriter;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.codec.ClusterCodec;
import io.github.qcow2nio.format.crypto.ImageEncryption;
import io.github.qcow2nio.format.disk.CompressedWriter;
import io.github.qcow2nio.format.disk.CompressingDisk;
import io.github.qcow2nio.format.disk.DiskLayout;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.error.ImageLockedException;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.L2Cache;
import io.github.qcow2nio.format.ops.BitmapEdit;
import io.github.qcow2nio.format.ops.SnapshotApply;
import io.github.qcow2nio.format.ops.SnapshotCreate;
import io.github.qcow2nio.format.ops.SnapshotDelete;
import io.github.qcow2nio.format.ops.SnapshotRename;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

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
  private final ImageEncryption encryption;

  /** @param encryption the unlocked data cipher of an encrypted image (closed with it), or null */
  Qcow2Image(ImageLocation location, HostFile file, Header header,
      HeaderExtensions extensions, List<SnapshotEntry> snapshots,
      List<BitmapDirectoryEntry> bitmaps, HostFile dataFile, Closeable backingOwner,
      VirtualDisk backingDisk, String backingFormat, long[] l1, OpenOptions options,
      ImageEncryption encryption)
      throws UnsupportedImageException {
    this.encryption = encryption;
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
    return ImageCreation.run(location, options, open, false);
  }

  /**
   * {@code qemu-img create -u}: as {@link #create(Path, CreateOptions)}, but the backing file is
   * only named, never opened (it may not exist yet); the size must be given. The image is
   * returned open read-only, without its backing chain (a writable open needs the chain).
   */
  public static Qcow2Image createUnsafe(Path path, CreateOptions options) throws IOException {
    return ImageCreation.run(new PathLocation(path), options, OpenOptions.readWrite(), true);
  }

  /** Creates an image at {@code path} and opens it read-write. */
  public static Qcow2Image create(Path path, CreateOptions options) throws IOException {
    return ImageCreation.run(new PathLocation(path), options, OpenOptions.readWrite(), false);
  }

  /** {@code qemu-img check}: see {@link Qcow2Check}. */
  public static CheckResult check(Path image, CheckOptions options) throws IOException {
    return Qcow2Check.check(image, options);
  }

  public static Qcow2Image open(ImageLocation location, OpenOptions options) throws IOException {
    return ImageOpener.open(location, options, new HashSet<>(), 0);
  }

  /**
   * Opens, read-only, the disk that {@code backingName} would be as the backing file of the image
   * at {@code image}: the name resolved against the image's location, the format given (null
   * probes), a qcow2 image with its own chain, a raw file as raw, as the image's own backing file
   * is opened (what {@code qemu-img rebase} does with its new backing file). Closing the disk
   * closes all it opened.
   *
   * @throws io.github.qcow2nio.format.error.BackingChainException when it cannot be opened
   */
  public static VirtualDisk openBackingDisk(ImageLocation image, String backingName,
      String backingFormat, OpenOptions options) throws IOException {
    return BackingChain.openDisk(image, backingName, backingFormat,
        options.toBuilder().writable(false).build());
  }

  private Qcow2Disk newDisk(String name, long size, long[] l1, long l1Offset,
      VirtualDisk backing) {
    DiskLayout layout = new DiskLayout(header.clusterBits(), header.hasExtendedL2(),
        header.version() == 2, header.hasExternalDataFile(), size);
    int capacity = L2CacheSizing.capacity(header, size, options);
    L2Cache cache = new L2Cache(file, header.clusterSize(), capacity);
    return new Qcow2Disk(name, file, dataFile != null ? dataFile : file, layout, l1, l1Offset,
        cache, codec, backing, encryption);
  }

  /** The active layer's disk over the backing chain: writable when the image was opened so. */
  public VirtualDisk disk() {
    return disk;
  }

  /**
   * The active disk seen through QEMU's {@code compress} filter: whole guest clusters written
   * where no host cluster is allocated yet are stored compressed with the image's compression
   * type, compressing on one thread per core; everything else reaches the disk as it is. Closing
   * the returned disk stops its threads; the image stays open.
   *
   * @throws io.github.qcow2nio.format.error.UnsupportedImageException with an external data file,
   *     where QEMU refuses compressed writes
   */
  public VirtualDisk compressingDisk() throws IOException {
    return new CompressingDisk(disk);
  }

  /** As {@link #compressingDisk()}, compressing on {@code threads} worker threads. */
  public VirtualDisk compressingDisk(int threads) throws IOException {
    return new CompressingDisk(disk, threads);
  }

  /**
   * A writer that fills the active disk from offset 0, storing each whole cluster compressed as
   * {@code qemu-img convert -c} does, compressing on one thread per core with a bounded number of
   * clusters in flight.
   *
   * @throws io.github.qcow2nio.format.error.ReadOnlyDiskException when the image is not writable
   * @throws io.github.qcow2nio.format.error.UnsupportedImageException with an external data file
   */
  public SequentialWriter compressedWriter() throws IOException {
    return CompressedWriter.open(disk);
  }

  /** As {@link #compressedWriter()}, starting at guest {@code offset}, on {@code threads}. */
  public SequentialWriter compressedWriter(long offset, int threads) throws IOException {
    return CompressedWriter.open(disk, offset, threads);
  }

  /** The same disk with the core's own view of it, for the opener. */
  Qcow2Disk qcow2Disk() {
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
    long size = s.diskSize() >= 0 ? s.diskSize() : disk.size();
    long[] l1 = SnapshotL1.read(file, header, s, size);
    return newDisk(location.displayName() + " (snapshot " + s.name() + ")", size, l1,
        s.l1TableOffset(), backingDisk);
  }

  public Optional<SnapshotEntry> findSnapshot(String nameOrId) {
    List<SnapshotEntry> snapshots = snapshots();
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

  HeaderUpdater headerUpdater() {
    return headerUpdater;
  }

  /** The header as it is now (writes keep it current). */
  public Header header() {
    return headerUpdater.header();
  }

  public HeaderExtensions extensions() {
    return extensions;
  }

  /** The internal snapshots as they are now (snapshot operations change them). */
  public List<SnapshotEntry> snapshots() {
    return disk.writer() != null ? disk.writer().snapshots().entries() : snapshots;
  }

  /**
   * Creates an internal snapshot of the active disk named {@code name} ({@link SnapshotCreate});
   * the image must be open for writing. Returns the snapshot's entry.
   */
  public SnapshotEntry createSnapshot(String name) throws IOException {
    return SnapshotCreate.run(this, SnapshotCreate.Options.named(name)).snapshot();
  }

  /**
   * As {@link #createSnapshot(String)}; with {@code unique} false a name that exists already
   * gets a second snapshot, as {@code qemu-img snapshot -c} makes it.
   */
  public SnapshotEntry createSnapshot(String name, boolean unique) throws IOException {
    return SnapshotCreate.run(this, new SnapshotCreate.Options(name, null, 0, unique))
        .snapshot();
  }

  /**
   * Deletes the first snapshot with this name, IDs not considered, as {@code qemu-img snapshot
   * -d} does. Returns the deleted entry.
   */
  public SnapshotEntry deleteSnapshotByName(String name) throws IOException {
    return SnapshotDelete.run(this, new SnapshotDelete.Options(name, true)).snapshot();
  }

  /** Reverts the active disk to a snapshot, its size included ({@link SnapshotApply}). */
  public SnapshotEntry applySnapshot(String idOrName) throws IOException {
    return SnapshotApply.run(this, new SnapshotApply.Options(idOrName)).snapshot();
  }

  /** Deletes a snapshot ({@link SnapshotDelete}). Returns the deleted entry. */
  public SnapshotEntry deleteSnapshot(String idOrName) throws IOException {
    return SnapshotDelete.run(this, new SnapshotDelete.Options(idOrName)).snapshot();
  }

  /** Renames a snapshot ({@link SnapshotRename}). Returns the entry as it is now. */
  public SnapshotEntry renameSnapshot(String idOrName, String newName) throws IOException {
    return SnapshotRename.run(this, new SnapshotRename.Options(idOrName, newName)).after();
  }

  /** The persistent dirty bitmaps as they are now (bitmap operations change them). */
  public List<BitmapDirectoryEntry> bitmaps() {
    return disk.writer() != null ? disk.writer().bitmapStore().entries() : bitmaps;
  }

  /**
   * The bits of the persistent bitmap {@code name} as stored (what enabled bitmaps tracked since
   * the last flush is not included): bit n, set when the n-th granule of the disk changed, is bit
   * {@code n % 8} of byte {@code n / 8}.
   *
   * @throws java.nio.file.NoSuchFileException when the image has no bitmap of that name
   */
  public byte[] bitmapData(String name) throws IOException {
    for (BitmapDirectoryEntry e : bitmaps()) {
      if (e.name().equals(name)) {
        return io.github.qcow2nio.format.meta.DirtyBitmap.load(file, header().clusterBits(), e,
            disk.size()).bytes();
      }
    }
    throw new java.nio.file.NoSuchFileException(location.displayName(), null,
        "no bitmap named '" + name + "'");
  }

  /**
   * Changes a persistent dirty bitmap as {@code qemu-img bitmap} does ({@link BitmapOptions}):
   * its actions in order, all made by one crash-safe switch of the bitmap directory. The image
   * must be open for writing. When an action fails, those before it are kept (as qemu-img keeps
   * them) and the failure is thrown, with QEMU's message.
   */
  public BitmapResult editBitmap(BitmapOptions options) throws IOException {
    return BitmapEdit.run(this, options);
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
    disk.close(); // stops its decompression ahead; the files are closed below
    if (disk.writer() != null) {
      try {
        disk.writer().close();
      } catch (IOException e) {
        first = e;
      }
    }
    for (Closeable c : new Closeable[] {backingOwner, dataFile, file, encryption}) {
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
}
