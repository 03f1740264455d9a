package io.github.qcow2nio.format.testing;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;

/**
 * Images crafted to cost memory or time rather than to be merely wrong (issue 12, item 5):
 * snapshots sharing the active L1 table, bitmaps with huge tables, refcount blocks and L2
 * tables placed on the header, a backing chain 10,000 deep by name, compressed clusters that
 * inflate far beyond a cluster, zstd frames that are zip bombs. Each must be answered (a result
 * or an IOException) quickly under a small heap; format's BoundedImagesTest runs them in a child
 * JVM with -Xmx128m, and the tool's tests can run them through the command line.
 */
public final class HostileImages {
  private HostileImages() {}

  /** Files in memory, the one to open, and a name saying what is hostile about it. */
  public record Image(String name, Map<String, byte[]> files, String image) {}

  /** Every crafted image. Built on each call: the files are the caller's to change. */
  public static List<Image> all() {
    List<Image> out = new ArrayList<>();
    // snapshot.qcow2: header L1 offset at 40; snapshot entry 0 at 0x1400 (L1 offset +0, size +8).
    Bytes snap = Bytes.of(Golden.bytes("snapshot.qcow2"));
    long activeL1 = snap.buffer().getLong(40);
    out.add(one("snapshot L1 table is the active one", snap.u64(0x1400, activeL1).array()));
    out.add(one("snapshot L1 table overlaps the active one by a cluster",
        Bytes.of(Golden.bytes("snapshot.qcow2")).u64(0x1400, activeL1 - 512).u32(0x1408, 128)
            .array()));

    out.add(one("bitmap table of 1 Mi entries past the end of the file",
        bitmaps(1 << 20, 0x200, 0)));
    out.add(one("bitmap table of 2^27 entries", bitmaps(1 << 27, 0x200, 0)));
    out.add(one("bitmap table of 1 Mi all-ones entries, 8 MiB in the file",
        bitmaps(1 << 20, 0x2a00, 8 << 20)));

    // c512: refcount table at 0x200 (entry 0 -> block 0x400), L1 at 0x600 (entry 0 -> 0x800).
    out.add(one("refcount block on the header",
        c512().u64(0x200, 0).u64(0x208, 0).array()));
    out.add(one("refcount block is the refcount table", c512().u64(0x200, 0x200).array()));
    out.add(one("L2 table on the header", c512().u64(0x600, 0x8000000000000000L | 0).array()));
    out.add(one("L2 table is the L1 table", c512().u64(0x600, 0x8000000000000600L).array()));
    out.add(one("L2 table is the refcount block", c512().u64(0x600, 0x8000000000000400L)
        .array()));

    out.add(new Image("backing chain 10,000 deep by name", new DeepChain(10_000), "d0"));

    // Tables that many tables share: a check must not walk them once per table.
    out.add(one("65,536 snapshots naming one 32 MiB L1 table", snapshots(65_536, i -> 0x600L,
        4 << 20)));
    out.add(one("65,536 snapshots with L1 tables overlapping a cluster apart",
        snapshots(65_536, i -> 0x2c00L + 512L * (i % 512), 4 << 20)));
    out.add(one("L1 table of 256 Ki entries naming one L2 table", activeL1(1 << 18, i ->
        0x8000000000000800L)));
    out.add(one("L1 table of 256 Ki entries naming distinct unaligned L2 tables",
        activeL1(1 << 18, i -> 0x800L + 8L * i)));
    out.add(one("65,535 bitmaps sharing one 1 MiB table", sharedBitmaps(65_535, 1 << 17)));

    out.add(one("deflate cluster inflating to 512 KiB", compressed("compressed-zlib.qcow2",
        deflate(512 << 10))));
    out.add(one("zstd frame of 512 KiB (content size in the header)",
        compressed("compressed-zstd.qcow2", Zstd.compress(new byte[512 << 10], 19))));
    out.add(one("zstd frame streamed, 16 MiB of zeros", compressed("compressed-zstd.qcow2",
        zstdStream(16 << 20))));
    out.add(one("zstd: 64 empty frames then a bomb", compressed("compressed-zstd.qcow2",
        concat(repeat(Zstd.compress(new byte[0]), 64), Zstd.compress(new byte[256 << 10])))));
    return out;
  }

  /** Read once: the deep chain asks for it thousands of times. */
  private static final byte[] C512 = Golden.bytes("c512.qcow2");

  static Bytes c512() {
    return Bytes.of(C512);
  }

  static Image one(String name, byte[] image) {
    Map<String, byte[]> files = new HashMap<>();
    files.put("a.qcow2", image);
    return new Image(name, files, "a.qcow2");
  }

  /**
   * c512 with one consistent bitmap (granularity 64 KiB) whose table has {@code entries} at
   * {@code tableOffset}; {@code tableBytes} of all-ones entries are appended at 0x2a00.
   */
  static byte[] bitmaps(int entries, long tableOffset, int tableBytes) {
    ByteBuffer e = ByteBuffer.allocate(32);
    e.putLong(tableOffset).putInt(entries).putInt(0).put((byte) 1).put((byte) 16)
        .putShort((short) 1).putInt(0).put((byte) 'b');
    int dirAt = 0x2a00 + tableBytes;
    Bytes b = c512().u32(112, 0x23852875L).u32(116, 24).u32(120, 1).u32(124, 0).u64(128, 32)
        .u64(136, dirAt).u64(88, 1).resize(dirAt + 512).put(dirAt, e.array());
    for (int i = 0; i < tableBytes; i += 8) {
      b.u64(0x2a00 + i, 1);
    }
    return b.array();
  }

  /**
   * c512 with {@code count} snapshots, snapshot i's L1 table at {@code l1Offset(i)} with
   * {@code l1Entries} entries; 256 KiB from 0x2c00 hold L1 entries naming the L2 table at 0x800,
   * and the snapshot table follows them.
   */
  static byte[] snapshots(int count, java.util.function.IntToLongFunction l1Offset,
      int l1Entries) {
    int fill = 0x2c00 + (256 << 10);
    int entry = 72;
    Bytes b = c512().resize(fill + count * entry).u32(60, count).u64(64, fill);
    for (int p = 0x2c00; p < fill; p += 8) {
      b.u64(p, 0x8000000000000800L);
    }
    for (int i = 0; i < count; i++) {
      int p = fill + i * entry;
      String id = String.format("%05d", i + 1);
      // Fixed part, 16 bytes of extra data (VM state size, disk size), the ID and the name of
      // five characters each: 72 bytes with padding.
      b.u64(p, l1Offset.applyAsLong(i)).u32(p + 8, l1Entries).u16(p + 12, id.length())
          .u16(p + 14, id.length()).u32(p + 36, 16).u64(p + 48, 262_144)
          .ascii(p + 56, id).ascii(p + 56 + id.length(), id);
    }
    return b.array();
  }

  /** c512 whose active L1 table, moved to 0x2c00, has {@code entries} entries {@code entry(i)}. */
  static byte[] activeL1(int entries, java.util.function.IntToLongFunction entry) {
    Bytes b = c512().resize(0x2c00 + 8 * entries).u32(36, entries).u64(40, 0x2c00);
    for (int i = 0; i < entries; i++) {
      b.u64(0x2c00 + 8 * i, entry.applyAsLong(i));
    }
    return b.array();
  }

  /**
   * c512 with {@code count} consistent bitmaps (names "0", "1", ...), all with one table of
   * {@code entries} entries at 0x2c00, each naming the cluster at 0x800.
   */
  static byte[] sharedBitmaps(int count, int entries) {
    int dirAt = 0x2c00 + 8 * entries;
    int entry = 32;
    Bytes b = c512().u32(112, 0x23852875L).u32(116, 24).u32(120, count).u32(124, 0)
        .u64(128, (long) count * entry).u64(136, dirAt).u64(88, 1)
        .resize(dirAt + count * entry);
    for (int i = 0; i < entries; i++) {
      b.u64(0x2c00 + 8 * i, 0x800);
    }
    for (int i = 0; i < count; i++) {
      // Table offset and size, flags 0, type 1, granularity 2^16, a name of its own.
      int p = dirAt + i * entry;
      String name = Integer.toString(i);
      b.u64(p, 0x2c00).u32(p + 8, entries).u8(p + 16, 1).u8(p + 17, 16)
          .u16(p + 18, name.length()).ascii(p + 24, name);
    }
    return b.array();
  }

  /**
   * {@code base} (512-byte clusters, L2 table at 0x800) whose first cluster is {@code data},
   * compressed, appended at the end of the file: 2 sectors, the most a 512-byte cluster's
   * descriptor can name.
   */
  static byte[] compressed(String base, byte[] data) {
    Bytes b = Bytes.of(Golden.bytes(base));
    int at = (b.length() + 511) & ~511;
    if (data.length > 1024) {
      throw new IllegalArgumentException(data.length + " bytes do not fit 2 sectors");
    }
    return b.resize(at + 1024).put(at, data).u64(0x800, 0x4000000000000000L | 1L << 61 | at)
        .array();
  }

  static byte[] deflate(int zeros) {
    Deflater d = new Deflater(9, true);
    d.setInput(new byte[zeros]);
    d.finish();
    byte[] out = new byte[4096];
    int n = d.deflate(out);
    d.end();
    return java.util.Arrays.copyOf(out, n);
  }

  static byte[] zstdStream(int zeros) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZstdOutputStream z = new ZstdOutputStream(out, 19)) {
      byte[] chunk = new byte[1 << 16];
      for (int i = 0; i < zeros; i += chunk.length) {
        z.write(chunk);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] repeat(byte[] b, int n) {
    byte[] out = new byte[b.length * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(b, 0, out, i * b.length, b.length);
    }
    return out;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * d0 -> d1 -> ... -> d(n-1), each c512 naming the next as its qcow2 backing file, made when
   * asked for: 10,000 images would not fit the small heap the table runs in.
   */
  static final class DeepChain extends AbstractMap<String, byte[]> {
    private final int depth;
    private final Map<String, byte[]> written = new HashMap<>();

    DeepChain(int depth) {
      this.depth = depth;
    }

    @Override
    public byte[] put(String key, byte[] value) {
      return written.put(key, value);
    }

    @Override
    public byte[] get(Object key) {
      if (written.containsKey(key)) {
        return written.get(key);
      }
      if (!(key instanceof String s) || !s.matches("d[0-9]+")) {
        return null;
      }
      int i = Integer.parseInt(s.substring(1));
      if (i >= depth) {
        return null;
      }
      return i == depth - 1 ? C512.clone() : withBacking("d" + (i + 1));
    }

    @Override
    public Set<Entry<String, byte[]>> entrySet() {
      throw new UnsupportedOperationException("generated on demand");
    }
  }

  /** c512 naming {@code backing} (format qcow2) after its end-of-extensions marker. */
  public static byte[] withBacking(String backing) {
    Bytes b = c512();
    byte[] f = "qcow2".getBytes(StandardCharsets.US_ASCII);
    int p = 112;
    b.u32(p, 0xE2792ACAL).u32(p + 4, f.length).put(p + 8, f);
    p += 16;
    b.u64(p, 0);
    p += 8;
    return b.ascii(p, backing).u64(8, p).u32(16, backing.length()).array();
  }
}
