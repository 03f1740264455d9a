package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.BitmapOptions;
import io.github.qcow2nio.format.BitmapOptions.Action;
import io.github.qcow2nio.format.BitmapOptions.Kind;
import io.github.qcow2nio.format.BitmapResult;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.disk.BitmapStore;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.disk.Qcow2DiskWriter;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.ReadOnlyDiskException;
import io.github.qcow2nio.format.meta.DirtyBitmap;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import io.github.qcow2nio.format.struct.BitmapsExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code qemu-img bitmap}: adds, removes, clears, enables, disables and merges persistent dirty
 * bitmaps, with QEMU's refusals in its words ("Operation add on bitmap b failed: Bitmap already
 * exists: b"). The actions run in order against the bitmaps as the earlier ones left them; they
 * reach the disk together as one crash-safe switch ({@code disk/BitmapStore}); when one fails,
 * the ones before it are kept, as qemu-img keeps them.
 */
public final class BitmapEdit {
  /** QEMU's limits for a new persistent bitmap. */
  static final int MIN_GRANULARITY_BITS = 9;
  static final int MAX_GRANULARITY_BITS = 31;
  /** At most 512 MiB of bitmap data, as QEMU allows. */
  static final long MAX_DATA_BYTES = 1L << 29;

  private static final String INCONSISTENT = "' is inconsistent and cannot be used\n"
      + "Try block-dirty-bitmap-remove to delete this bitmap from disk";

  private BitmapEdit() {}

  /** QEMU's refusal of one action; reported as "Operation ACTION on bitmap NAME failed: ...". */
  private static final class Refusal extends Qcow2Exception {
    private static final long serialVersionUID = 1L;

    Refusal(String message) {
      super(message);
    }
  }

  public static BitmapResult run(Qcow2Image image, BitmapOptions options) throws IOException {
    // The active disk of an image is always the core's qcow2 disk.
    Qcow2DiskWriter w = ((Qcow2Disk) image.disk()).writer();
    if (w == null || !image.disk().isWritable()) {
      throw new ReadOnlyDiskException(image.location().displayName()
          + " is not open for writing; its bitmaps cannot change");
    }
    boolean adds = options.actions().stream().anyMatch(a -> a.kind() == Kind.ADD);
    if (options.granularity() != 0 && !adds) {
      throw new IllegalArgumentException("granularity only supported with --add");
    }
    BitmapStore store = w.bitmapStore();
    int[] applied = {0};
    store.edit(edit -> {
      for (Action a : options.actions()) {
        try {
          apply(image, options, edit, a);
        } catch (Refusal e) {
          throw new Qcow2Exception("Operation " + a.kind().word() + " on bitmap "
              + options.bitmap() + " failed: " + e.getMessage(), e);
        }
        applied[0]++;
      }
    });
    return new BitmapResult(image.bitmaps(), applied[0]);
  }

  private static void apply(Qcow2Image image, BitmapOptions o, BitmapStore.Edit edit, Action a)
      throws IOException {
    String name = o.bitmap();
    switch (a.kind()) {
      case ADD -> add(image, o, edit);
      case REMOVE -> {
        found(edit, name);
        edit.remove(name);
      }
      case CLEAR -> {
        BitmapDirectoryEntry e = usable(edit, name);
        edit.setBits(name, new byte[edit.byteCount(e.granularityBits())]);
      }
      case ENABLE -> {
        usable(edit, name);
        edit.setEnabled(name, true);
      }
      case DISABLE -> {
        usable(edit, name);
        edit.setEnabled(name, false);
      }
      case MERGE -> merge(o, edit, a.source());
    }
  }

  private static void add(Qcow2Image image, BitmapOptions o, BitmapStore.Edit edit)
      throws IOException {
    String name = o.bitmap();
    if (name.isEmpty()) {
      throw new Refusal("Bitmap name cannot be empty");
    }
    long g = o.granularity();
    if (g == 0) {
      g = Math.min(65536, Math.max(4096, image.header().clusterSize()));
    } else if (g < 512 || Long.bitCount(g) != 1) {
      throw new Refusal("Granularity must be power of 2 and at least 512");
    }
    if (edit.find(name).isPresent()) {
      throw new Refusal("Bitmap already exists: " + name);
    }
    String cannot = "Can't make bitmap '" + name + "' persistent in '"
        + image.location().displayName() + "': ";
    if (image.header().version() < 3) {
      throw new Refusal(cannot + "Cannot store dirty bitmaps in qcow2 v2 files");
    }
    int bits = Long.numberOfTrailingZeros(g);
    if (bits > MAX_GRANULARITY_BITS) {
      throw new Refusal(cannot + "Granularity exceeds maximum (" + (1L << 31)
          + " bytes)");
    }
    long dataBytes = ((edit.diskSize() + g - 1) / g + 7) / 8;
    long tableEntries = (dataBytes + image.header().clusterSize() - 1)
        / image.header().clusterSize();
    if (tableEntries > BitmapDirectoryEntry.MAX_TABLE_ENTRIES
        || tableEntries * image.header().clusterSize() > MAX_DATA_BYTES) {
      throw new Refusal(cannot + "Too much space will be occupied by the bitmap. "
          + "Use larger granularity");
    }
    int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (nameBytes > BitmapDirectoryEntry.MAX_NAME) {
      throw new Refusal(cannot + "Name length exceeds maximum ("
          + BitmapDirectoryEntry.MAX_NAME + " characters)");
    }
    if (edit.entries().size() >= BitmapsExtension.MAX_BITMAPS) {
      throw new Refusal(cannot + "Maximum number of persistent bitmaps is already "
          + "reached");
    }
    long dir = 0;
    for (BitmapDirectoryEntry e : edit.entries()) {
      dir += e.length();
    }
    if (dir + ((BitmapDirectoryEntry.FIXED_SIZE + nameBytes + 7) & ~7)
        > BitmapsExtension.MAX_DIRECTORY_SIZE) {
      throw new Refusal(cannot + "Not enough space in the bitmap directory");
    }
    edit.add(name, bits, !o.disabled());
  }

  private static BitmapDirectoryEntry found(BitmapStore.Edit edit, String name)
      throws Qcow2Exception {
    return edit.find(name).orElseThrow(() -> new Refusal("Dirty bitmap '" + name
        + "' not found"));
  }

  /** A bitmap that may be changed: it exists and is consistent (not in_use). */
  private static BitmapDirectoryEntry usable(BitmapStore.Edit edit, String name)
      throws Qcow2Exception {
    BitmapDirectoryEntry e = found(edit, name);
    if (e.inUse()) {
      throw new Refusal("Bitmap '" + name + INCONSISTENT);
    }
    return e;
  }

  /** The target's bits OR the source's, granule by granule whatever the two granularities. */
  private static void merge(BitmapOptions o, BitmapStore.Edit edit, String source)
      throws IOException {
    String name = o.bitmap();
    BitmapDirectoryEntry target = usable(edit, name);
    byte[] src;
    long srcGran;
    long srcSize;
    if (o.sourceFile() == null) {
      BitmapDirectoryEntry s = usable(edit, source);
      src = edit.bits(source);
      srcGran = s.granularity();
      srcSize = edit.diskSize();
    } else {
      if (o.sourceFormat() != null && !o.sourceFormat().equals("qcow2")
          || !isQcow2(o.sourceFile())) {
        // Only qcow2 holds persistent bitmaps: a raw source has none of that name.
        throw new Refusal("Dirty bitmap '" + source + "' not found");
      }
      try (Qcow2Image other = Qcow2Image.open(o.sourceFile(), OpenOptions.readOnly().toBuilder()
          .referencePolicy(o.referencePolicy()).build())) {
        BitmapDirectoryEntry s = null;
        for (BitmapDirectoryEntry e : other.bitmaps()) {
          if (e.name().equals(source)) {
            s = e;
          }
        }
        if (s == null) {
          throw new Refusal("Dirty bitmap '" + source + "' not found");
        }
        if (s.inUse()) {
          throw new Refusal("Bitmap '" + source + INCONSISTENT);
        }
        srcSize = other.disk().size();
        src = DirtyBitmap.load(other.hostFile(), other.header().clusterBits(), s, srcSize)
            .bytes();
        srcGran = s.granularity();
      }
    }
    if (srcSize != edit.diskSize()) {
      throw new Refusal("Bitmaps are incompatible and can't be merged");
    }
    byte[] dst = edit.bits(name);
    long g = target.granularity();
    long bits = (edit.diskSize() + g - 1) / g;
    boolean changed = false;
    for (long s = nextSet(src, 0); s >= 0; s = nextSet(src, s + 1)) {
      long from = s * srcGran / g;
      long to = Math.min(bits - 1, ((s + 1) * srcGran - 1) / g);
      for (long t = from; t <= to; t++) {
        int i = (int) (t >>> 3);
        int m = 1 << (t & 7);
        if ((dst[i] & m) == 0) {
          dst[i] |= (byte) m;
          changed = true;
        }
      }
    }
    if (changed) {
      edit.setBits(name, dst);
    }
  }

  private static boolean isQcow2(java.nio.file.Path p) throws IOException {
    try (var ch = java.nio.channels.FileChannel.open(p)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // reads the magic
      }
      return b.position() == 4 && b.getInt(0) == io.github.qcow2nio.format.struct.Header.MAGIC;
    }
  }

  private static long nextSet(byte[] b, long from) {
    long n = 8L * b.length;
    for (long i = from; i < n; i++) {
      int byteIndex = (int) (i >>> 3);
      if (b[byteIndex] == 0) {
        i = ((long) byteIndex << 3) + 7;
        continue;
      }
      if ((b[byteIndex] & (1 << (i & 7))) != 0) {
        return i;
      }
    }
    return -1;
  }
}
