package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.error.ReferenceRefusedException;
import io.github.qcow2nio.format.io.ReferencePolicy;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.RebaseOptions;
import io.github.qcow2nio.format.RebaseResult;
import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.error.BackingChainException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.struct.ClusterType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;

/**
 * {@code qemu-img rebase}: gives an overlay a new backing file (or none). A safe rebase keeps
 * what the guest reads: every range the overlay does not allocate is read through the old
 * backing chain and through the new one, and the 512-byte sectors that differ are written into
 * the overlay with the old chain's data (as qemu-img compares them); only then, once that is
 * forced, is the header switched ({@link BackingHeader}). An unsafe rebase ({@code -u}) only
 * switches the header.
 *
 * <p>A crash or a failed write before the switch leaves the overlay on its old backing file,
 * reading as before (the sectors copied so far read the same through either chain); after it,
 * on the new one, reading as before. At most clusters leak.
 */
public final class Rebase {
  private static final int SECTOR = 512;

  private Rebase() {}

  public static RebaseResult run(RebaseOptions o, ProgressListener listener)
      throws IOException {
    return run(new PathLocation(o.image()), o, listener);
  }

  /** As above, the overlay (and every file its chains name) read from {@code image}. */
  public static RebaseResult run(ImageLocation image, RebaseOptions o, ProgressListener listener)
      throws IOException {
    String name = o.backingFile();
    boolean none = name.isEmpty();
    long size;
    long[] counts = new long[2];
    if (o.unsafe()) {
      // qemu-img -u opens the overlay alone: its old backing file need not open. The new name
      // is not opened either, but a policy that would not follow it refuses to store it.
      try (Qcow2Image img = Qcow2Image.open(image, OpenOptions.builder().openBacking(false)
          .referencePolicy(o.referencePolicy()).keySecret(o.keySecret()).build())) {
        size = img.disk().size();
      }
      if (!none && o.referencePolicy().mode() != ReferencePolicy.Mode.FOLLOW) {
        o.referencePolicy().resolve(image, name, "new backing file");
      }
    } else {
      try (Qcow2Image img = Qcow2Image.open(image, OpenOptions.readWrite().toBuilder()
              .referencePolicy(o.referencePolicy()).keySecret(o.keySecret())
              .backingKeys(o.backingKeys()).build());
          VirtualDisk newBacking = none ? null : openNew(image, name, o)) {
        size = img.disk().size();
        VirtualDisk old = img.backingDisk().orElse(null);
        VirtualDisk writeTo = o.compress() ? img.compressingDisk() : img.disk();
        try {
          ClusterCopier clusters = o.compress()
              ? new ClusterCopier(img.disk(), writeTo, img.header().clusterSize()) : null;
          int unit = img.header().clusterSize() >> (img.header().hasExtendedL2() ? 5 : 0);
          copy(img.disk(), old, newBacking, writeTo, clusters, unit, counts, listener);
          writeTo.flush();
          img.disk().flush();
        } finally {
          if (o.compress()) {
            writeTo.close();
          }
        }
      }
    }
    if (!none && o.backingFormat() == null) {
      // qemu-img 7.2 refuses here, after a safe rebase has copied its data.
      throw new Qcow2Exception("Could not change the backing file to '" + name
          + "': backing format must be specified");
    }
    Convert.checkCancelled(listener);
    BackingHeader.write(image, none ? null : name, none ? null : o.backingFormat(), name);
    listener.progress(size, size);
    return new RebaseResult(size, counts[0], counts[1]);
  }

  /** The new backing file, opened as the overlay's own backing file would be. */
  private static VirtualDisk openNew(ImageLocation image, String name, RebaseOptions o)
      throws IOException {
    try {
      // Opened as the overlay's backing file: depth 1 of newBackingKeys is its secret.
      return Qcow2Image.openBackingDisk(image, name, o.backingFormat(),
          OpenOptions.readOnly().toBuilder().referencePolicy(o.referencePolicy())
              .keySecret(o.keySecret()).backingKeys(o.newBackingKeys()).build());
    } catch (ReferenceRefusedException e) {
      // The policy's own message names the refused file and the policy.
      throw e;
    } catch (IOException e) {
      throw new BackingChainException("Could not open new backing file '" + name + "': "
          + why(e, image.displayName(), name), e);
    }
  }

  /** The cause in qemu-img's words where they are known: a missing file names its path. */
  private static String why(IOException e, String overlay, String name) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NoSuchFileException) {
        return "Could not open '" + combined(overlay, name) + "': No such file or directory";
      }
    }
    return e.getMessage();
  }

  /** The backing name joined to the overlay's directory, as QEMU's path_combine spells it. */
  static String combined(String overlay, String name) {
    if (name.startsWith("/")) {
      return name;
    }
    int slash = overlay.lastIndexOf('/');
    return slash < 0 ? name : overlay.substring(0, slash + 1) + name;
  }

  private static void copy(VirtualDisk top, VirtualDisk old, VirtualDisk neu,
      VirtualDisk writeTo, ClusterCopier clusters, int unit, long[] counts,
      ProgressListener listener) throws IOException {
    long size = top.size();
    long oldEnd = old == null ? 0 : old.size();
    int chunk = (int) Math.min(Convert.CHUNK, Math.max(size, SECTOR));
    ByteBuffer oldBuf = ByteBuffer.allocate(chunk);
    ByteBuffer newBuf = ByteBuffer.allocate(chunk);
    listener.progress(0, size);
    long offset = 0;
    while (offset < size) {
      Convert.checkCancelled(listener);
      Extent e = top.blockStatus(offset, Math.min(size - offset, chunk));
      int n = (int) e.length();
      if (e.type() == ClusterType.UNALLOCATED) {
        readPadded(old, oldBuf, offset, n);
        readPadded(neu, newBuf, offset, n);
        counts[0] += n;
        int at = 0;
        while (at < n) {
          int a = at;
          while (a < n && same(oldBuf, newBuf, a, n)) {
            a += SECTOR;
          }
          if (a >= n) {
            break;
          }
          int b = a;
          while (b < n && !same(oldBuf, newBuf, b, n)) {
            b += SECTOR;
          }
          b = Math.min(b, n);
          if (clusters != null) {
            clusters.copy(offset + a, offset + b);
          } else {
            // Past the old backing file's end the guest reads zeros: stored as zeros (as
            // qemu-img writes them there), which the new, longer backing file must not show
            // through.
            int dataEnd = (int) Math.max(a, Math.min(b, oldEnd - offset));
            if (dataEnd > a) {
              writeTo.write(ByteBuffer.wrap(oldBuf.array(), a, dataEnd - a), offset + a);
            }
            if (b > dataEnd) {
              // Widened to whole units (as QEMU widens a zero write whose unit reads as zeros
              // around it): inside this unallocated run past the old end, the neighbours read
              // zeros through either chain, so zeroing them changes nothing.
              long from = offset + dataEnd;
              long to = offset + b;
              long wideFrom = from - Math.floorMod(from, unit);
              long wideTo = Math.min(size, to + Math.floorMod(-to, unit));
              if (wideFrom >= Math.max(offset, oldEnd)) {
                from = wideFrom;
              }
              if (wideTo <= offset + n) {
                to = wideTo;
              }
              ((Qcow2Disk) writeTo).writeZerosOverBacking(from, to - from);
            }
          }
          counts[1] += b - a;
          at = b;
        }
      }
      offset += n;
      listener.progress(offset, size);
    }
  }

  /** Whether the sector at {@code at} (cut at {@code n}) reads the same in both buffers. */
  private static boolean same(ByteBuffer x, ByteBuffer y, int at, int n) {
    int end = Math.min(at + SECTOR, n);
    return Arrays.equals(x.array(), at, end, y.array(), at, end);
  }

  /** {@code n} bytes of {@code disk} at {@code offset}, zeros past its end or without one. */
  private static void readPadded(VirtualDisk disk, ByteBuffer buf, long offset, int n)
      throws IOException {
    Arrays.fill(buf.array(), 0, n, (byte) 0);
    if (disk == null || offset >= disk.size()) {
      return;
    }
    buf.clear().limit((int) Math.min(n, disk.size() - offset));
    disk.read(buf, offset);
  }

  /**
   * With {@code -c}: whole guest clusters, as the overlay reads them (the old chain's data where
   * it allocates nothing), written through the compressing disk, each once.
   */
  private static final class ClusterCopier {
    private final VirtualDisk top;
    private final VirtualDisk writeTo;
    private final int clusterSize;
    private final ByteBuffer buf;
    private long last = -1;

    ClusterCopier(VirtualDisk top, VirtualDisk writeTo, int clusterSize) {
      this.top = top;
      this.writeTo = writeTo;
      this.clusterSize = clusterSize;
      this.buf = ByteBuffer.allocate(clusterSize);
    }

    void copy(long from, long to) throws IOException {
      long c = from - Math.floorMod(from, clusterSize);
      for (; c < to; c += clusterSize) {
        if (c <= last) {
          continue;
        }
        buf.clear().limit((int) Math.min(clusterSize, top.size() - c));
        top.read(buf, c);
        buf.flip();
        writeTo.write(buf, c);
        last = c;
      }
    }
  }
}
