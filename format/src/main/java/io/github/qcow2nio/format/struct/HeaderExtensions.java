package io.github.qcow2nio.format.struct;

import io.github.qcow2nio.format.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything in cluster 0 after the fixed header: the header extensions and the backing file
 * name. Unknown extensions are kept so that rewriting cluster 0 preserves them.
 */
public record HeaderExtensions(
    Optional<String> backingFormat,
    Optional<String> dataFile,
    Optional<FeatureNameTable> featureNames,
    Optional<BitmapsExtension> bitmaps,
    Optional<CryptoHeaderPointer> crypto,
    List<RawExtension> unknown,
    Optional<String> backingFile) {

  public static final int BACKING_FORMAT = 0xE2792ACA;
  public static final int DATA_FILE = 0x44415441;
  public static final int END = 0;
  public static final int MAX_BACKING_FORMAT = 15;
  public static final int MAX_BACKING_NAME = 1023;

  /** An extension this library does not interpret: its type and data, kept verbatim. */
  public record RawExtension(int type, byte[] data) {
    public RawExtension {
      data = data.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RawExtension r && r.type == type && java.util.Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
      return type * 31 + java.util.Arrays.hashCode(data);
    }
  }

  public HeaderExtensions {
    unknown = List.copyOf(unknown);
  }

  public static HeaderExtensions none() {
    return new HeaderExtensions(Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), List.of(), Optional.empty());
  }

  /**
   * Parses the extension area and the backing file name from {@code cluster0}, which holds the
   * image's first bytes (all of cluster 0, or the whole file when it is shorter).
   */
  public static HeaderExtensions parse(ByteBuffer cluster0, Header h)
      throws CorruptImageException {
    ByteBuffer b = cluster0.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN);
    b.position(0);
    long limit = Math.min(h.extensionsLimit(), b.limit());
    long p = h.extensionsStart();
    String backingFormat = null;
    String dataFile = null;
    FeatureNameTable names = null;
    BitmapsExtension bitmaps = null;
    CryptoHeaderPointer crypto = null;
    List<RawExtension> unknown = new ArrayList<>();
    while (p < limit) {
      if (p + 8 > limit) {
        throw new CorruptImageException("header extension", p,
            "header runs past the extension area's end at 0x" + Long.toHexString(limit));
      }
      int type = b.getInt((int) p);
      long len = Integer.toUnsignedLong(b.getInt((int) p + 4));
      if (type == END) {
        break;
      }
      long dataAt = p + 8;
      if (dataAt + len > limit) {
        throw new CorruptImageException(
            String.format("header extension 0x%08x", type), p,
            "length " + len + " runs past the extension area's end at 0x"
                + Long.toHexString(limit));
      }
      ByteBuffer data = b.duplicate();
      data.position((int) dataAt).limit((int) (dataAt + len));
      switch (type) {
        case BACKING_FORMAT -> {
          if (len > MAX_BACKING_FORMAT) {
            throw new CorruptImageException("backing file format header extension", p,
                "length " + len + "; at most " + MAX_BACKING_FORMAT + " bytes");
          }
          backingFormat = string(data);
        }
        case DATA_FILE -> dataFile = string(data);
        case FeatureNameTable.TYPE -> names = FeatureNameTable.parse(data, p);
        case BitmapsExtension.TYPE -> bitmaps = BitmapsExtension.parse(data, p, h.clusterBits(),
            h.hasBitmaps());
        case CryptoHeaderPointer.TYPE -> crypto = CryptoHeaderPointer.parse(data, p, h.clusterBits());
        default -> {
          byte[] raw = new byte[(int) len];
          data.get(raw);
          unknown.add(new RawExtension(type, raw));
        }
      }
      p = dataAt + ((len + 7) & ~7L);
    }

    String backing = null;
    if (h.backingFileOffset() != 0) {
      long off = h.backingFileOffset();
      long len = Integer.toUnsignedLong(h.backingFileSize());
      if (len > MAX_BACKING_NAME || off + len > h.clusterSize()) {
        throw new CorruptImageException("backing file name", off,
            "length " + len + " is too long: at most " + MAX_BACKING_NAME
                + " bytes, within cluster 0");
      }
      if (off + len > b.limit()) {
        throw new CorruptImageException("backing file name", off,
            "length " + len + " runs past the end of the file");
      }
      // An empty name is no backing file, as QEMU reads it.
      if (len > 0) {
        byte[] name = new byte[(int) len];
        b.get((int) off, name);
        backing = new String(name, StandardCharsets.UTF_8);
      }
    }
    return new HeaderExtensions(Optional.ofNullable(backingFormat), Optional.ofNullable(dataFile),
        Optional.ofNullable(names), Optional.ofNullable(bitmaps), Optional.ofNullable(crypto),
        unknown, Optional.ofNullable(backing));
  }

  private static String string(ByteBuffer data) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * The extension area as QEMU lays it out, ending with the end marker. The backing file name is
   * not included: it goes right after these bytes.
   */
  public byte[] extensionBytes() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    backingFormat.ifPresent(s -> put(out, BACKING_FORMAT, s.getBytes(StandardCharsets.UTF_8)));
    dataFile.ifPresent(s -> put(out, DATA_FILE, s.getBytes(StandardCharsets.UTF_8)));
    crypto.ifPresent(c -> put(out, CryptoHeaderPointer.TYPE, c.toBytes()));
    featureNames.ifPresent(f -> put(out, FeatureNameTable.TYPE, f.toBytes()));
    bitmaps.ifPresent(x -> put(out, BitmapsExtension.TYPE, x.toBytes()));
    for (RawExtension r : unknown) {
      put(out, r.type(), r.data);
    }
    put(out, END, new byte[0]);
    return out.toByteArray();
  }

  private static void put(java.io.ByteArrayOutputStream out, int type, byte[] data) {
    int padded = (data.length + 7) & ~7;
    ByteBuffer b = ByteBuffer.allocate(8 + padded);
    b.putInt(type).putInt(data.length).put(data);
    out.writeBytes(b.array());
  }
}
