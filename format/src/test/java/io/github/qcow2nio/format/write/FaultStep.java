package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.SequentialWriter;
import io.github.qcow2nio.format.block.VirtualDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;

/** One call of a fault-sweep workload, and what it does to the model when it succeeds or fails. */
interface FaultStep {

  void apply(Qcow2Image image) throws IOException;

  /** The call returned normally ({@code done}) or failed part-way (not {@code done}). */
  void model(FaultSweep.Expected e, boolean done);

  /** A failed call of this kind is always retried (the workload depends on its outcome). */
  default boolean mustRetry() {
    return false;
  }

  static FaultStep write(int off, int len, long seed) {
    byte[] data = new byte[len];
    new Random(seed).nextBytes(data);
    return new Change("write " + len + "@" + off, off, data) {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        image.disk().write(ByteBuffer.wrap(data), off);
      }
    };
  }

  /**
   * A write of compressible data through QEMU's compress filter ({@code CompressingDisk}), or
   * with {@code sequential} through a {@code CompressedWriter} from {@code off} (which flushes
   * when it closes).
   */
  static FaultStep compressed(int off, int len, long seed, boolean sequential) {
    byte[] data = CompressedImages.compressible(new Random(seed), len, 1024);
    return new Change((sequential ? "sequential compressed write " : "compressed write ") + len
        + "@" + off, off, data) {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        if (sequential) {
          try (SequentialWriter w = image.compressedWriter(off, 1)) {
            w.write(ByteBuffer.wrap(data));
          }
        } else {
          try (VirtualDisk disk = image.compressingDisk(1)) {
            disk.write(ByteBuffer.wrap(data), off);
          }
        }
      }
    };
  }

  static FaultStep zeros(int off, int len) {
    return new Change("zero " + len + "@" + off, off, new byte[len]) {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        image.disk().writeZeros(off, len);
      }
    };
  }

  /** Whole clusters only: those read as zeros afterwards. */
  static FaultStep discard(int off, int len) {
    return new Change("discard " + len + "@" + off, off, new byte[len]) {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        image.disk().discard(off, len);
      }
    };
  }

  static FaultStep flush() {
    return new FaultStep() {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        image.disk().flush();
      }

      @Override
      public void model(FaultSweep.Expected e, boolean done) {
        if (done) {
          e.flushed();
        }
      }

      @Override
      public String toString() {
        return "flush";
      }
    };
  }

  /** Grows, or shrinks discarding the data past the new end ({@code qemu-img resize --shrink}). */
  static FaultStep resize(int size) {
    return new FaultStep() {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        image.disk().resize(size, true);
      }

      @Override
      public void model(FaultSweep.Expected e, boolean done) {
        e.resized(size);
      }

      @Override
      public boolean mustRetry() {
        return true;
      }

      @Override
      public String toString() {
        return "resize " + size;
      }
    };
  }

  /** A write-like call of {@code data} at {@code off}. */
  abstract class Change implements FaultStep {
    private final String name;
    private final int off;
    private final byte[] data;

    Change(String name, int off, byte[] data) {
      this.name = name;
      this.off = off;
      this.data = data;
    }

    @Override
    public void model(FaultSweep.Expected e, boolean done) {
      e.changed(off, data, done);
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
