package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.ConvertOptions;
import io.github.qcow2nio.format.ConvertResult;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.io.UnsafeCacheLocation;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;

/**
 * {@code qemu-img convert}: copies what a source disk (an image with its chain, a snapshot, a
 * raw file) reads into a new or existing qcow2 or raw image, keeping the target sparse. Ranges
 * the chain reports as zeros are never read; read data is written except for runs of zeros of at
 * least the sparse size. With a backing file for the target ({@code -B}) only what the source's
 * top layer allocates is copied, the rest being the backing file's to show.
 */
public final class Convert {
  /** qemu-img's buffer: at most this much is read and written at once. */
  static final int CHUNK = 2 << 20;
  /** qemu-img convert's words for -c with an encrypted target. */
  public static final String ENCRYPTED_COMPRESSION =
      "Compression and encryption not supported at the same time";

  private Convert() {}

  public static ConvertResult run(ConvertOptions o, ProgressListener listener)
      throws IOException {
    if (o.compress() && o.targetFormat().equals("raw")) {
      throw new UnsupportedImageException("Compression not supported for this file format");
    }
    try (SourceChain source = SourceChain.open(o.source())) {
      if (o.compress() && !o.noCreate() && o.targetFormat().equals("qcow2")
          && o.create().encryption() != null) {
        // qemu-img's refusal, once the source is open and before the target is made.
        throw new UnsupportedImageException(ENCRYPTED_COMPRESSION);
      }
      List<BitmapDirectoryEntry> bitmaps = List.of();
      List<String> skipped = new ArrayList<>();
      if (o.bitmaps()) {
        if (source.image() == null) {
          throw new UnsupportedImageException("Source lacks bitmap support");
        }
        bitmaps = BitmapCopy.check(source.image(), o.skipBrokenBitmaps(), skipped);
      }
      long size = source.size();
      Qcow2Image image = null;
      VirtualDisk target;
      boolean readsZeros;
      boolean topOnly = false;
      if (o.targetFormat().equals("qcow2")) {
        ImageLocation at = new PathLocation(o.target());
        if (!o.forceWrites()) {
          at = new UnsafeCacheLocation(at);
        }
        if (o.noCreate()) {
          image = Qcow2Image.open(at, OpenOptions.readWrite().toBuilder()
              .keySecret(o.targetKeySecret()).build());
          readsZeros = false;
          if (o.compress() && image.header().cryptMethod() != 0) {
            // qemu-img 7.2 would store compressed clusters unencrypted here (and fail part way
            // through); refused instead, as a new encrypted target is, before anything is
            // written.
            image.close();
            throw new UnsupportedImageException(ENCRYPTED_COMPRESSION);
          }
        } else {
          CreateOptions c = o.create().toBuilder().size(size).build();
          image = Qcow2Image.create(at, c, OpenOptions.readWrite());
          topOnly = c.backingFile() != null;
          readsZeros = !topOnly;
        }
        target = image.disk();
      } else {
        target = o.noCreate() ? RawTarget.open(o.target(), o.forceWrites())
            : RawTarget.create(o.target(), size, o.forceWrites());
        readsZeros = !o.noCreate();
      }
      Closeable owner = image != null ? image : target;
      try {
        if (o.bitmaps()) {
          BitmapCopy.checkTarget(o.targetFormat(), image);
        }
        if (target.size() < size) {
          throw new UnsupportedImageException("output file is smaller than input file");
        }
        CompressedClusterSink sink = o.compress() ? CompressedClusterSink.forImage(image) : null;
        try {
          ConvertResult r = copy(source, target, size, o.sparseSize(), readsZeros, topOnly, sink,
              listener);
          if (sink != null) {
            sink.finish();
          }
          target.flush();
          if (o.bitmaps()) {
            BitmapCopy.copy(source.image(), bitmaps, image);
          }
          return r.withSkippedBitmaps(skipped);
        } finally {
          if (sink != null) {
            sink.close();
          }
        }
      } finally {
        owner.close();
      }
    }
  }

  private static ConvertResult copy(SourceChain source, VirtualDisk target, long size,
      long sparseSize, boolean readsZeros, boolean topOnly, CompressedClusterSink sink,
      ProgressListener listener) throws IOException {
    ChainStatus status = new ChainStatus(source);
    VirtualDisk disk = source.disk();
    SparseWriter writer = new SparseWriter(target, sparseSize, readsZeros);
    int chunk = sink != null ? Math.max(CHUNK, sink.clusterSize()) : CHUNK;
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(chunk, Math.max(size, 1)));
    listener.progress(0, size);
    long offset = 0;
    while (offset < size) {
      checkCancelled(listener);
      ChainStatus.Run run = status.at(offset, Math.min(size - offset, chunk),
          topOnly ? 1 : Integer.MAX_VALUE);
      long length = run.length();
      if (sink != null && run.data()) {
        length = compressedRun(disk, sink, offset, size, buf);
      } else if (run.data() || sparseSize == 0 && run.zero()) {
        // -S 0: no scan for zeros, so every byte is written and the target fully allocated.
        buf.clear().limit((int) length);
        disk.read(buf, offset);
        buf.flip();
        writer.write(buf, offset);
      } else if (run.zero()) {
        writer.zeros(offset, length);
      } else {
        writer.skipped(length);
      }
      offset += length;
      listener.progress(offset, size);
    }
    return new ConvertResult(size, writer.dataBytes(), writer.zeroBytes(),
        writer.skippedBytes());
  }

  /** One whole cluster, read and handed to the compressing sink; returns its length. */
  private static long compressedRun(VirtualDisk disk, CompressedClusterSink sink, long offset,
      long size, ByteBuffer buf) throws IOException {
    int cluster = sink.clusterSize();
    long start = offset - offset % cluster;
    buf.clear().limit(cluster);
    long readable = Math.min(cluster, size - start);
    buf.limit((int) readable);
    disk.read(buf, start);
    while (buf.position() < cluster) {
      buf.limit(cluster).put((byte) 0);
    }
    buf.flip();
    sink.writeCluster(start, buf);
    return Math.min(start + cluster, size) - offset;
  }

  static void checkCancelled(ProgressListener listener) throws InterruptedIOException {
    if (listener.cancelled() || Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("cancelled");
    }
  }
}
