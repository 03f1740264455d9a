package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.CreateOptions.Preallocation;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.disk.Qcow2DiskWriter;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.struct.CryptoHeaderPointer;
import io.github.qcow2nio.format.struct.FeatureNameTable;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import io.github.qcow2nio.format.struct.RefcountBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Creates an image as {@code qemu-img create -f qcow2} does, with its defaults and its validation
 * messages: cluster 0 (header, extensions, backing name right after the end marker), the refcount
 * table at cluster 1, one refcount block at cluster 2, then the L1 table allocated first-fit at
 * exactly the size the disk needs (only its entries are written, so a new image ends mid-cluster,
 * as QEMU's do).
 */
public final class CreateImage {
  private CreateImage() {}

  /**
   * Creates (or empties and recreates) the image at {@code location} as {@code o} says, and opens
   * it with {@code open}: the result is the new image, open.
   */
  public static Qcow2Image run(ImageLocation location, CreateOptions o, OpenOptions open)
      throws IOException {
    return run(location, o, open, false);
  }

  /**
   * As above; with {@code unsafe} ({@code qemu-img create -u}) the backing file is named in the
   * header but never opened (it may not exist yet): the size must then be given, and the image
   * is returned open read-only, without its backing chain.
   */
  public static Qcow2Image run(ImageLocation location, CreateOptions o, OpenOptions open,
      boolean unsafe) throws IOException {
    return run(location, o, open, unsafe, null);
  }

  /** The LUKS area of a new encrypted image, made once the other options have been checked. */
  @FunctionalInterface
  public interface EncryptionArea {
    /** The header and key material, {@code payload offset * 512} bytes. */
    byte[] make() throws IOException;
  }

  /**
   * As above, for an image encrypted with LUKS when {@code luks} is given: the area it makes is
   * placed in clusters allocated after the L1 table and any preallocation (where qemu-img puts
   * it), zero-filled to whole clusters, and named by the full disk encryption header extension.
   */
  public static Qcow2Image run(ImageLocation location, CreateOptions o, OpenOptions open,
      boolean unsafe, EncryptionArea luks) throws IOException {
    String name = location.displayName();
    validate(name, o);
    byte[] luksArea = luks == null ? null : luks.make();
    long size = o.size();
    if (unsafe && size < 0) {
      throw fail(name, "Image creation needs a size parameter");
    }
    if (unsafe && o.backingFile() != null) {
      // A writable open needs the backing chain, which may not exist yet: read-only, unchained.
      open = open.toBuilder().writable(false).openBacking(false).build();
    } else if (o.backingFile() != null) {
      // As qemu-img does: the backing image must open (its size is the default size).
      long backing = backingSize(location, o);
      if (size < 0) {
        size = backing;
      }
    }
    size = (size + 511) & ~511L;
    int clusterBits = Integer.numberOfTrailingZeros(o.clusterSize());
    int l2Bits = clusterBits - (o.extendedL2() ? 4 : 3);
    long l1Entries = (size + (1L << (clusterBits + l2Bits)) - 1) >>> (clusterBits + l2Bits);
    if (l1Entries > Qcow2Limits.MAX_L1_BYTES / 8) {
      throw new Qcow2Exception(name + ": The image size is too large for file format 'qcow2'"
          + " (try using a larger cluster size)");
    }
    Preallocation prealloc = o.preallocation();
    if (o.dataFileRaw() && prealloc == Preallocation.OFF) {
      prealloc = Preallocation.METADATA;
    }

    int v = o.version();
    long incompatible = 0;
    if (o.dataFile() != null) {
      incompatible |= Features.INCOMPAT_DATA_FILE;
    }
    if (o.compressionType() != 0) {
      incompatible |= Features.INCOMPAT_COMPRESSION;
    }
    if (o.extendedL2()) {
      incompatible |= Features.INCOMPAT_EXTL2;
    }
    long compatible = o.lazyRefcounts() ? Features.COMPAT_LAZY_REFCOUNTS : 0;
    long autoclear = o.dataFileRaw() ? Features.AUTOCLEAR_DATA_FILE_RAW : 0;
    int refcountOrder = Integer.numberOfTrailingZeros(o.refcountBits());
    int headerLength = v == 3 ? Header.V3_LENGTH : Header.V2_LENGTH;
    int clusterSize = o.clusterSize();

    Optional<FeatureNameTable> names = v == 3 && clusterSize > 4096
        ? Optional.of(new FeatureNameTable(Features.standardNames())) : Optional.empty();
    // The image is set up without its backing file (so that nothing reads through it while the
    // tables are laid out), then cluster 0 is rewritten whole with the backing file, as QEMU does.
    HeaderExtensions setupExt = new HeaderExtensions(Optional.empty(),
        Optional.ofNullable(o.dataFile()), names, Optional.empty(), Optional.empty(), List.of(),
        Optional.empty());
    // The crypto extension's offset is known only once its clusters are allocated; its size is.
    Optional<CryptoHeaderPointer> cryptoSized = luksArea == null ? Optional.empty()
        : Optional.of(new CryptoHeaderPointer(0, luksArea.length));
    HeaderExtensions ext = new HeaderExtensions(
        Optional.ofNullable(o.backingFormat()), Optional.ofNullable(o.dataFile()), names,
        Optional.empty(), cryptoSized, List.of(), Optional.ofNullable(o.backingFile()));
    byte[] extBytes = ext.extensionBytes();
    byte[] backingName = o.backingFile() == null ? new byte[0]
        : o.backingFile().getBytes(StandardCharsets.UTF_8);
    long backingOffset = backingName.length == 0 ? 0 : headerLength + extBytes.length;
    if (headerLength + extBytes.length + backingName.length > clusterSize) {
      throw new Qcow2Exception(name + ": the header, its extensions and the backing file name do "
          + "not fit in one cluster of " + clusterSize + " bytes");
    }
    Header h = Header.builder().version(v).clusterBits(clusterBits)
        .refcountTableOffset(clusterSize).refcountTableClusters(1)
        .incompatibleFeatures(incompatible).compatibleFeatures(compatible)
        .autoclearFeatures(autoclear).refcountOrder(refcountOrder).headerLength(headerLength)
        .compressionType(o.compressionType()).build();

    ByteBuffer first = ByteBuffer.allocate(3 * clusterSize);
    first.put(h.toBytes()).put(setupExt.extensionBytes());
    first.putLong(clusterSize, 2L * clusterSize);
    RefcountBlock block = new RefcountBlock(new byte[clusterSize], refcountOrder);
    for (int c = 0; c < 3; c++) {
      block.set(c, 1);
    }
    first.put(2 * clusterSize, block.bytes());
    first.clear();

    try (HostFile file = location.create()) {
      file.write(first, 0);
      file.force();
    }
    if (o.dataFile() != null) {
      try (HostFile data = location.resolve(o.dataFile()).create()) {
        data.truncate(size);
        data.force();
      }
    }

    OpenOptions setup =
        open.toBuilder().writable(true).openBacking(false).dataFile(null).build();
    Header done;
    long luksOffset = 0;
    try (Qcow2Image image = Qcow2Image.open(location, setup)) {
      // The active disk of an image is always the core's qcow2 disk.
      Qcow2DiskWriter w = ((Qcow2Disk) image.disk()).writer();
      w.initialSize(size);
      if (prealloc != Preallocation.OFF) {
        w.preallocate(prealloc == Preallocation.FULL);
      }
      if (luksArea != null) {
        luksOffset = w.refcounts().allocate((luksArea.length + clusterSize - 1) / clusterSize);
        w.refcounts().flush();
      }
      done = image.header();
    }
    if (luksArea != null) {
      ext = new HeaderExtensions(ext.backingFormat(), ext.dataFile(), ext.featureNames(),
          ext.bitmaps(), Optional.of(new CryptoHeaderPointer(luksOffset, luksArea.length)),
          ext.unknown(), ext.backingFile());
      extBytes = ext.extensionBytes();
      done = done.toBuilder().cryptMethod(Header.CRYPT_LUKS).build();
      int clusters = (luksArea.length + clusterSize - 1) / clusterSize;
      ByteBuffer area = ByteBuffer.allocate(clusters * clusterSize).put(luksArea).clear();
      try (HostFile file = location.open(true)) {
        file.write(area, luksOffset);
        file.force();
      }
    }
    if (o.backingFile() != null || luksArea != null) {
      ByteBuffer c0 = ByteBuffer.allocate(clusterSize);
      Header named = done.toBuilder().backingFileOffset(backingOffset)
          .backingFileSize(backingName.length).build();
      c0.put(named.toBytes()).put(extBytes).put(backingName).clear();
      try (HostFile file = location.open(true)) {
        file.write(c0, 0);
        file.force();
      }
    }
    return Qcow2Image.open(location, open);
  }

  private static long backingSize(ImageLocation location, CreateOptions o) throws IOException {
    if (o.backingFile() == null) {
      throw new Qcow2Exception(location.displayName() + ": Image creation needs a size parameter");
    }
    // The backing image is opened on its own to read its size, as qemu-img does.
    ImageLocation b = location.resolve(o.backingFile());
    try {
      if ("raw".equals(o.backingFormat())) {
        try (HostFile f = b.open(false)) {
          return f.size();
        }
      }
      try (Qcow2Image img = Qcow2Image.open(b, OpenOptions.readOnly())) {
        VirtualDisk d = img.disk();
        return d.size();
      }
    } catch (IOException e) {
      throw new Qcow2Exception(location.displayName() + ": Could not open backing image '"
          + o.backingFile() + "': " + e.getMessage(), e);
    }
  }

  private static void validate(String name, CreateOptions o) throws Qcow2Exception {
    int cs = o.clusterSize();
    if (cs < 512 || cs > 2 * 1024 * 1024 || Integer.bitCount(cs) != 1) {
      throw fail(name, "Cluster size must be a power of two between 512 and 2048k");
    }
    if (o.version() != 2 && o.version() != 3) {
      throw fail(name, "Parameter 'version' does not accept value '" + o.version()
          + "' (2 is compat=0.10, 3 is compat=1.1)");
    }
    int rb = o.refcountBits();
    if (rb < 1 || rb > 64 || Integer.bitCount(rb) != 1) {
      throw fail(name, "Refcount width must be a power of two and may not exceed 64 bits");
    }
    if (o.compressionType() != 0 && o.compressionType() != 1) {
      throw fail(name, "Parameter 'compression-type' does not accept value '"
          + o.compressionType() + "' (0 zlib, 1 zstd)");
    }
    if (o.backingFormat() != null && o.backingFile() == null) {
      throw fail(name, "Backing format cannot be used without backing file");
    }
    if (o.dataFileRaw() && o.dataFile() == null) {
      throw fail(name, "data-file-raw requires data-file");
    }
    if (o.version() == 2) {
      if (o.lazyRefcounts()) {
        throw fail(name, "Lazy refcounts only supported with compatibility level 1.1 and above "
            + "(use version=v3 or greater)");
      }
      if (rb != 16) {
        throw fail(name, "Different refcount widths than 16 bits require compatibility level 1.1 "
            + "or above (use version=v3 or greater)");
      }
      if (o.extendedL2()) {
        throw fail(name, "Extended L2 entries are only supported with compatibility level 1.1 "
            + "and above (use version=v3 or greater)");
      }
      if (o.compressionType() != 0) {
        throw fail(name, "Non-zlib compression type is only supported with compatibility level "
            + "1.1 and above (use version=v3 or greater)");
      }
      if (o.dataFile() != null) {
        throw fail(name, "External data files are only supported with compatibility level 1.1 "
            + "and above (use version=v3 or greater)");
      }
    }
    if (o.extendedL2() && cs < 16384) {
      throw fail(name, "Extended L2 entries are only supported with cluster sizes of at least "
          + "16384 bytes");
    }
    if (o.backingFile() != null) {
      if (o.dataFileRaw()) {
        throw fail(name, "Backing file and data-file-raw cannot be used at the same time");
      }
      if (o.preallocation() != Preallocation.OFF && !o.extendedL2()) {
        throw fail(name, "Backing file and preallocation can only be used at the same time if "
            + "extended_l2 is on");
      }
      if (o.backingFile().getBytes(StandardCharsets.UTF_8).length
          > HeaderExtensions.MAX_BACKING_NAME) {
        throw fail(name, "Backing file name too long");
      }
      if (o.backingFormat() == null) {
        throw fail(name, "Backing file specified without backing format");
      }
      if (o.backingFile().isEmpty()) {
        throw fail(name, "Backing file name is empty");
      }
      if (o.backingFormat() != null && !o.backingFormat().equals("qcow2")
          && !o.backingFormat().equals("raw")) {
        throw fail(name, "backing format '" + o.backingFormat()
            + "' is not supported (qcow2 and raw are)");
      }
    }
    if (o.size() < 0 && o.backingFile() == null) {
      throw fail(name, "Image creation needs a size parameter");
    }
  }

  private static Qcow2Exception fail(String name, String message) {
    return new Qcow2Exception(name + ": " + message);
  }
}
