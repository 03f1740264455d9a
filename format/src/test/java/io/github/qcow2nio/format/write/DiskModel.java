package io.github.qcow2nio.format.write;

import java.util.Arrays;
import java.util.BitSet;

/**
 * What a disk must read as, byte by byte, when some calls failed: a call that failed part-way may
 * have changed any of its bytes, so each byte is either certain, one of two values (the old one
 * and the one a failed call asked for), or anything (more failed calls over it).
 */
final class DiskModel {
  private byte[] now;
  private byte[] alt;
  private final BitSet either;
  private final BitSet any;

  DiskModel(byte[] contents) {
    this(contents.clone(), new byte[contents.length], new BitSet(), new BitSet());
  }

  private DiskModel(byte[] now, byte[] alt, BitSet either, BitSet any) {
    this.now = now;
    this.alt = alt;
    this.either = either;
    this.any = any;
  }

  DiskModel copy() {
    return new DiskModel(now.clone(), alt.clone(), (BitSet) either.clone(), (BitSet) any.clone());
  }

  int size() {
    return now.length;
  }

  /** A call that succeeded wrote {@code data} at {@code off}. */
  void set(int off, byte[] data) {
    System.arraycopy(data, 0, now, off, data.length);
    either.clear(off, off + data.length);
    any.clear(off, off + data.length);
  }

  /** A call that failed may have written any part of {@code data} at {@code off}. */
  void setMaybe(int off, byte[] data) {
    for (int i = 0; i < data.length; i++) {
      int p = off + i;
      if (any.get(p) || now[p] == data[i]) {
        continue;
      }
      if (either.get(p)) {
        if (alt[p] != data[i]) {
          any.set(p);
          either.clear(p);
        }
        continue;
      }
      alt[p] = now[p];
      now[p] = data[i];
      either.set(p);
    }
  }

  /** The size changed: bytes past a smaller size are gone, a larger one reads zeros. */
  void resize(int size) {
    int old = now.length;
    now = Arrays.copyOf(now, size);
    alt = Arrays.copyOf(alt, size);
    if (size < old) {
      either.clear(size, old);
      any.clear(size, old);
    }
  }

  /** Null when {@code b} may be the byte at {@code p}; otherwise what it should be. */
  String mismatch(int p, byte b) {
    if (any.get(p) || now[p] == b || (either.get(p) && alt[p] == b)) {
      return null;
    }
    return either.get(p) ? now[p] + " or " + alt[p] : Byte.toString(now[p]);
  }

  /**
   * This model or {@code other}, byte by byte (an operation that may or may not have happened:
   * each byte is one of this model's values or one of the other's).
   */
  DiskModel union(DiskModel other) {
    DiskModel u = copy();
    for (int p = 0; p < Math.min(size(), other.size()); p++) {
      if (u.any.get(p) || other.mismatch(p, now[p]) == null && !other.either.get(p)
          && !other.any.get(p)) {
        continue;
      }
      if (other.any.get(p) || u.either.get(p) || other.either.get(p)) {
        u.any.set(p);
        u.either.clear(p);
        continue;
      }
      u.alt[p] = other.now[p];
      u.either.set(p);
    }
    return u;
  }
}
