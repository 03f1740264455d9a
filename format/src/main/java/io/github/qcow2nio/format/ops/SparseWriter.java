package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.Buffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes a buffer of guest data to a target, leaving out runs of zeros of at least the sparse
 * size ({@code qemu-img convert -S}), judged in 512-byte sectors as qemu-img does: left alone
 * where the target already reads as zeros, made zero with write-zeros otherwise. Several threads
 * may write through one at once (convert's write-behind), for disjoint ranges, when the target and
 * {@code data} allow it.
 */
final class SparseWriter {
  private static final int SECTOR = 512;
  private final VirtualDisk target;
  private final long sparseSize;
  private final boolean targetReadsZeros;
  private final DataOut data;
  private final LongAdder dataBytes = new LongAdder();
  private final LongAdder zeroBytes = new LongAdder();
  private final LongAdder skippedBytes = new LongAdder();

  /** Where the data goes: {@code VirtualDisk.write}, or a way that writes it the same. */
  @FunctionalInterface
  interface DataOut {
    void write(ByteBuffer src, long offset) throws IOException;
  }

  SparseWriter(VirtualDisk target, long sparseSize, boolean targetReadsZeros) {
    this(target, sparseSize, targetReadsZeros, target::write);
  }

  SparseWriter(VirtualDisk target, long sparseSize, boolean targetReadsZeros, DataOut data) {
    this.target = target;
    this.sparseSize = sparseSize;
    this.targetReadsZeros = targetReadsZeros;
    this.data = data;
  }

  /** Writes {@code data} (position to limit) at guest {@code offset}. */
  void write(ByteBuffer data, long offset) throws IOException {
    int start = data.position();
    int end = data.limit();
    if (sparseSize == 0) {
      dataBytes.add(end - start);
      this.data.write(data, offset);
      return;
    }
    long base = offset - start;
    int pending = start;
    int runStart = start;
    boolean runZero = Buffers.isZero(data, start, Math.min(end, start + SECTOR) - start);
    for (int at = Math.min(start + SECTOR, end); ; at = Math.min(at + SECTOR, end)) {
      boolean last = at >= end;
      boolean z = !last && Buffers.isZero(data, at, Math.min(end, at + SECTOR) - at);
      if (last || z != runZero) {
        int runEnd = Math.min(at, end);
        // A short run of zeros stays with the data around it, written as data (as -S does).
        if (runZero && runEnd - runStart >= sparseSize) {
          writeData(data, pending, runStart, base);
          zeros(base + runStart, runEnd - runStart);
          pending = runEnd;
        }
        runStart = runEnd;
        runZero = z;
      }
      if (last) {
        break;
      }
    }
    writeData(data, pending, end, base);
    data.position(end);
  }

  /** Zeros that the target must read: skipped where it already does. */
  void zeros(long offset, long length) throws IOException {
    if (targetReadsZeros) {
      skippedBytes.add(length);
    } else {
      zeroBytes.add(length);
      target.writeZeros(offset, length);
    }
  }

  void skipped(long length) {
    skippedBytes.add(length);
  }

  private void writeData(ByteBuffer data, int from, int to, long base) throws IOException {
    if (to <= from) {
      return;
    }
    ByteBuffer slice = data.duplicate();
    slice.limit(to).position(from);
    dataBytes.add(to - from);
    this.data.write(slice, base + from);
  }

  long dataBytes() {
    return dataBytes.sum();
  }

  long zeroBytes() {
    return zeroBytes.sum();
  }

  long skippedBytes() {
    return skippedBytes.sum();
  }
}
