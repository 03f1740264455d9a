package io.github.qcow2nio.format.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds on-disk bytes by hand, big-endian, at the byte offsets the specification gives; so tests
 * compare our parsers and serializers with the spec and not with each other.
 */
public final class Bytes {
  private byte[] b;

  public Bytes(int length) {
    b = new byte[length];
  }

  public static Bytes of(byte[] contents) {
    Bytes x = new Bytes(0);
    x.b = contents.clone();
    return x;
  }

  public Bytes u8(int off, int v) {
    b[off] = (byte) v;
    return this;
  }

  public Bytes u16(int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
    return this;
  }

  public Bytes u32(int off, long v) {
    for (int i = 0; i < 4; i++) {
      b[off + i] = (byte) (v >>> (24 - 8 * i));
    }
    return this;
  }

  public Bytes u64(int off, long v) {
    for (int i = 0; i < 8; i++) {
      b[off + i] = (byte) (v >>> (56 - 8 * i));
    }
    return this;
  }

  public Bytes put(int off, byte[] data) {
    System.arraycopy(data, 0, b, off, data.length);
    return this;
  }

  public Bytes ascii(int off, String s) {
    return put(off, s.getBytes(StandardCharsets.US_ASCII));
  }

  public Bytes resize(int length) {
    b = Arrays.copyOf(b, length);
    return this;
  }

  public int length() {
    return b.length;
  }

  public byte[] array() {
    return b.clone();
  }

  public byte[] range(int from, int to) {
    return Arrays.copyOfRange(b, from, to);
  }

  public ByteBuffer buffer() {
    return ByteBuffer.wrap(b.clone());
  }
}
