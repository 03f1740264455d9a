package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.ConvertOptions;
import io.github.qcow2nio.format.ConvertResult;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.disk.ClusterReservations;
import io.github.qcow2nio.format.disk.Qcow2Disk;
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

  /**
   * Chunks read ahead of the writer (with the one being written): enough to keep reading while
   * a write of a chunk and the compression of a run take their time, 8 MiB at most.
   */
  static final int PIPELINE_DEPTH = 4;

  /**
   * Chunks when writes run behind on several threads: one being read, one being handed over and
   * one in flight per writer, 16 MiB at most (qemu-img keeps eight 2 MiB requests in flight).
   */
  static final int PARALLEL_DEPTH = 8;

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
          int cluster = sink != null ? sink.clusterSize() : 0;
          ConvertSteps steps = new ConvertSteps(source, Math.max(CHUNK, cluster), o.sparseSize(),
              topOnly, cluster);
          SparseWriter.DataOut parallel = sink != null ? null : parallelWrites(image, target);
          ConvertResult r = copy(steps, target, size, o.sparseSize(), readsZeros, sink, listener,
              parallel);
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

  /**
   * The copy loop: {@code steps} read ahead on a thread of their own, written here in order
   * (through {@code sink} for data when it is not null).
   */
  static ConvertResult copy(ConvertSteps steps, VirtualDisk target, long size,
      long sparseSize, boolean readsZeros, CompressedClusterSink sink,
      ProgressListener listener) throws IOException {
    return copy(steps, target, size, sparseSize, readsZeros, sink, listener, null);
  }

  /**
   * As above; with {@code parallel} (a way to write data that several threads may call at once
   * for disjoint ranges) the data steps are written behind, on {@link WriteBehind}'s threads.
   */
  static ConvertResult copy(ConvertSteps steps, VirtualDisk target, long size,
      long sparseSize, boolean readsZeros, CompressedClusterSink sink,
      ProgressListener listener, SparseWriter.DataOut parallel) throws IOException {
    if (parallel != null && sink == null) {
      return copyBehind(steps, target, size, sparseSize, readsZeros, listener, parallel);
    }
    SparseWriter writer = new SparseWriter(target, sparseSize, readsZeros);
    int cluster = sink != null ? sink.clusterSize() : 0;
    CopyPipeline pipeline = new CopyPipeline(PIPELINE_DEPTH,
        ConvertSteps.bufferSize(size, Math.max(CHUNK, cluster), cluster));
    listener.progress(0, size);
    pipeline.run(steps, c -> {
      switch (c.kind) {
        case CLUSTERS -> {
          ByteBuffer buf = c.buffer;
          for (int at = 0; at < buf.limit(); at += cluster) {
            sink.writeCluster(c.bufferStart + at, buf.duplicate().limit(at + cluster)
                .position(at));
          }
        }
        case DATA -> writer.write(c.buffer, c.offset);
        case ZERO -> writer.zeros(c.offset, c.length);
        case SKIP -> writer.skipped(c.length);
        default -> throw new IllegalStateException(c.kind.name());
      }
      listener.progress(c.offset + c.length, size);
    }, () -> checkCancelled(listener));
    return new ConvertResult(size, writer.dataBytes(), writer.zeroBytes(),
        writer.skippedBytes());
  }

  private static ConvertResult copyBehind(ConvertSteps steps, VirtualDisk target, long size,
      long sparseSize, boolean readsZeros, ProgressListener listener,
      SparseWriter.DataOut parallel) throws IOException {
    SparseWriter writer = new SparseWriter(target, sparseSize, readsZeros, parallel);
    CopyPipeline pipeline = new CopyPipeline(PARALLEL_DEPTH,
        ConvertSteps.bufferSize(size, CHUNK, 0));
    steps.deferReads();
    listener.progress(0, size);
    try (WriteBehind behind = new WriteBehind(WriteBehind.defaultThreads())) {
      pipeline.run(steps, c -> {
        if (c.kind == CopyPipeline.Kind.DATA) {
          // Handed over, not yet written: the progress of a write-behind copy, as qemu-img's.
          // Reported first: once the chunk is handed over nothing here may throw.
          listener.progress(c.offset + c.length, size);
          behind.submit(() -> {
            steps.read(c);
            writer.write(c.buffer, c.offset);
          }, () -> pipeline.release(c));
          return true;
        }
        switch (c.kind) {
          case ZERO -> writer.zeros(c.offset, c.length);
          case SKIP -> writer.skipped(c.length);
          default -> throw new IllegalStateException(c.kind.name());
        }
        listener.progress(c.offset + c.length, size);
        return false;
      }, behind, () -> checkCancelled(listener));
    }
    return new ConvertResult(size, writer.dataBytes(), writer.zeroBytes(),
        writer.skippedBytes());
  }

  /**
   * Data writes that several threads may make at once: positional writes into a raw file, whole
   * new clusters through reservations (their entries set after their data) into qcow2.
   */
  private static SparseWriter.DataOut parallelWrites(Qcow2Image image, VirtualDisk target) {
    if (image == null) {
      return target instanceof RawTarget raw ? raw::write : null;
    }
    if (image.disk() instanceof Qcow2Disk q && q.writer() != null) {
      ClusterReservations reservations = q.writer().reservations();
      return reservations::write;
    }
    return null;
  }

  static void checkCancelled(ProgressListener listener) throws InterruptedIOException {
    if (listener.cancelled() || Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("cancelled");
    }
  }
}
