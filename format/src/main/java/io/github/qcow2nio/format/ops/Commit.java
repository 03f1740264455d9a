package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.CommitOptions;
import io.github.qcow2nio.format.CommitResult;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.Buffers;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.io.PathLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code qemu-img commit}: what the layers above a base image allocate (data, and zeros, which
 * must stay zeros rather than let deeper data show) is written into the base, which grows to the
 * overlay's size if it is smaller; the base is forced; then, unless told otherwise, the overlay
 * is emptied so that it reads through to the base.
 *
 * <p>A crash or a failed write leaves the overlay reading as before (nothing in it changes until
 * the base is durable) and each cluster of the base either old or committed; a crash while the
 * overlay is emptied leaves each of its clusters either in place or dropped, which read the same.
 * At most clusters leak. The layers between the overlay and a deeper base are not changed (as in
 * QEMU, they may then read differently from the base below them).
 */
public final class Commit {
  /** The most QEMU's commit copies at once. */
  private static final int MAX_IO = 1 << 20;

  /** How much the base is written between early forces ({@link EarlyWriteback}); tests lower it. */
  static volatile long writebackStep = EarlyWriteback.STEP;

  private Commit() {}

  public static CommitResult run(CommitOptions o, ProgressListener listener)
      throws IOException {
    return run(new PathLocation(o.image()), o, listener);
  }

  /** As above, the overlay (and every file its chain names) read from {@code image}. */
  public static CommitResult run(ImageLocation image, CommitOptions o, ProgressListener listener)
      throws IOException {
    boolean empty = o.emptiesOverlay();
    // The chain is opened unlocked: the base is opened again below, writable, and QEMU's locks
    // of a read-only backing open would refuse that. The overlay is locked by hand instead.
    OpenOptions chainOptions = o.openOptions(empty).toBuilder().locking(false).build();
    boolean compact;
    CommitResult result;
    try (Qcow2Image top = Qcow2Image.open(image, chainOptions)) {
      top.hostFile().lock(LockPermissions.image(empty, false));
      List<Qcow2Image> chain = chainOf(top);
      if (top.backingFile().isEmpty()) {
        throw new Qcow2Exception("Image does not have a backing file");
      }
      int depth = o.base() == null ? 1 : find(chain, o.base(), image.displayName());
      if (depth >= chain.size()) {
        throw new UnsupportedImageException("Committing into a raw backing file is not "
            + "supported yet");
      }
      ImageLocation baseLocation = chain.get(depth).location();
      long size = top.disk().size();
      long[] bytes = new long[2];
      String baseName;
      // The base with its own key (and its chain with theirs): a commit into a base encrypted
      // with another key re-encrypts the overlay's data with the base's.
      try (Qcow2Image base = Qcow2Image.open(baseLocation,
          o.openOptions(true).forLayer(depth))) {
        baseName = base.location().displayName();
        VirtualDisk target = base.disk();
        if (target.size() < size) {
          target.resize(size);
        }
        // An external data file holds the data: forcing the image file early would not help.
        long step = base.dataFileName().isEmpty() ? writebackStep : Long.MAX_VALUE;
        try (EarlyWriteback writeback = new EarlyWriteback(base.hostFile(), step)) {
          copy(SourceChain.of(top), depth, target, base.header().clusterSize(), size, bytes,
              listener, writeback);
          writeback.finish();
        }
        // Durable before the overlay loses anything: a crash later leaves both readable.
        target.flush();
      }
      if (empty) {
        Convert.checkCancelled(listener);
        ((Qcow2Disk) top.disk()).makeEmpty();
        top.disk().flush();
      }
      compact = empty && OverlayCompaction.applies(top.header(), !top.snapshots().isEmpty(),
          !top.bitmaps().isEmpty());
      result = new CommitResult(size, baseName, bytes[0], bytes[1], depth, empty);
    }
    if (compact) {
      // Closed first: no cache of the image may write after the file changes under it.
      OverlayCompaction.run(image);
    }
    listener.progress(result.virtualSize(), result.virtualSize());
    return result;
  }

  /** The qcow2 images of the chain, top first; a raw file at the bottom is not among them. */
  private static List<Qcow2Image> chainOf(Qcow2Image top) {
    List<Qcow2Image> chain = new ArrayList<>();
    for (Qcow2Image at = top; at != null; at = at.backingImage().orElse(null)) {
      chain.add(at);
    }
    return chain;
  }

  /**
   * The depth of the image {@code base} names, as QEMU finds a backing image: by the name an
   * image of the chain records for its backing file, or as a file name resolved against that
   * image's directory that is the same file. Raw files are matched too (their depth is past the
   * qcow2 images).
   */
  private static int find(List<Qcow2Image> chain, String base, String topName)
      throws IOException {
    for (int i = 0; i < chain.size(); i++) {
      Qcow2Image at = chain.get(i);
      if (at.backingFile().isEmpty()) {
        break;
      }
      String recorded = at.backingFile().get();
      if (recorded.equals(base)) {
        return i + 1;
      }
      Object wanted = identity(at.location(), base);
      Object actual = identity(at.location(), recorded);
      if (wanted != null && Objects.equals(wanted, actual)) {
        return i + 1;
      }
    }
    throw new Qcow2Exception("Did not find '" + base + "' in the backing chain of '" + topName
        + "'");
  }

  private static Object identity(ImageLocation from, String name) {
    try {
      return from.resolve(name.startsWith("file:") ? name.substring(5) : name).identity();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Copies what the top {@code depth} layers allocate into {@code target}, in QEMU's commit
   * units, so that the base ends up allocated where QEMU's is: the disk is cut in chunks of the
   * base's cluster size (4 KiB to 64 KiB), a chunk is copied when anything above the base
   * allocates part of it, and each run of such chunks goes as the whole chain reads it: data is
   * copied, whole chunks aligned to the base's clusters that read as zeros are written as zeros,
   * and a run shorter than one chunk is copied whole.
   */
  private static void copy(SourceChain chain, int depth, VirtualDisk target, int clusterSize,
      long size, long[] bytes, ProgressListener listener, EarlyWriteback writeback)
      throws IOException {
    ChainStatus status = new ChainStatus(chain);
    VirtualDisk disk = chain.disk();
    int chunk = Math.min(64 << 10, Math.max(4096, clusterSize));
    // Direct: a heap buffer would be copied once more on each side, through the JDK's
    // temporary direct buffers, for every megabyte committed.
    ByteBuffer buf = Buffers.pageAligned((int) Math.min(MAX_IO, Math.max(size, 1)));
    listener.progress(0, size);
    long offset = 0;
    while (offset < size) {
      Convert.checkCancelled(listener);
      ChainStatus.Run above = status.at(offset, Math.min(size - offset, Convert.CHUNK), depth);
      if (!above.allocated()) {
        offset = above.end();
        listener.progress(offset, size);
        continue;
      }
      long from = above.start() - above.start() % chunk;
      long to = Math.min(size, above.end() + Math.floorMod(-above.end(), chunk));
      for (long pos = from; pos < to; ) {
        Convert.checkCancelled(listener);
        ChainStatus.Run run = status.at(pos, to - pos);
        long n = run.data() ? Math.min(run.length(), MAX_IO) : run.length();
        n -= n % chunk;
        boolean zeros = false;
        if (n < chunk) {
          n = chunk;
        } else if (!run.data()) {
          zeros = pos % clusterSize == 0 && n % clusterSize == 0;
        }
        n = Math.min(n, size - pos);
        if (zeros) {
          // Stored as zeros even where the base reads zeros now (past its backing file's end,
          // or with none), as QEMU's commit stores them: zero flags, or zeros in v2.
          ((Qcow2Disk) target).writeZerosOverBacking(pos, n);
          bytes[1] += n;
        } else {
          for (long at = pos; at < pos + n; ) {
            int len = (int) Math.min(buf.capacity(), pos + n - at);
            buf.clear().limit(len);
            disk.read(buf, at);
            buf.flip();
            target.write(buf, at);
            at += len;
            writeback.written(len);
          }
          bytes[0] += n;
        }
        pos += n;
      }
      offset = to;
      listener.progress(offset, size);
    }
  }
}
