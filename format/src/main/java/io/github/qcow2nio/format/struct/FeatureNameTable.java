package io.github.qcow2nio.format.struct;

import io.github.qcow2nio.format.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Header extension 0x6803F857: human-readable names of feature bits. */
public record FeatureNameTable(List<Entry> entries) {
  public static final int TYPE = 0x6803F857;
  public static final int ENTRY_SIZE = 48;
  private static final int NAME_SIZE = 46;

  /** One 48-byte entry: feature type (0 incompatible, 1 compatible, 2 autoclear), bit, name. */
  public record Entry(int type, int bit, String name) {}

  public FeatureNameTable {
    entries = List.copyOf(entries);
  }

  public Optional<String> name(int type, int bit) {
    for (Entry e : entries) {
      if (e.type() == type && e.bit() == bit) {
        return Optional.of(e.name());
      }
    }
    return Optional.empty();
  }

  /**
   * Parses the whole 48-byte entries; bytes of a trailing partial entry are ignored, since QEMU
   * opens such images (the table only names features for messages).
   */
  static FeatureNameTable parse(ByteBuffer data, long offset) throws CorruptImageException {
    List<Entry> list = new ArrayList<>();
    for (int p = data.position(); p + ENTRY_SIZE <= data.limit(); p += ENTRY_SIZE) {
      int type = data.get(p) & 0xFF;
      int bit = data.get(p + 1) & 0xFF;
      byte[] name = new byte[NAME_SIZE];
      data.get(p + 2, name);
      int len = 0;
      while (len < NAME_SIZE && name[len] != 0) {
        len++;
      }
      list.add(new Entry(type, bit, new String(name, 0, len, StandardCharsets.UTF_8)));
    }
    return new FeatureNameTable(list);
  }

  byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(entries.size() * ENTRY_SIZE);
    for (Entry e : entries) {
      int p = b.position();
      b.put((byte) e.type()).put((byte) e.bit());
      byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
      b.put(name, 0, Math.min(name.length, NAME_SIZE));
      b.position(p + ENTRY_SIZE);
    }
    return b.array();
  }
}
