package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QEMU's snapshot rules at and past their bounds, without building 65536 real snapshots. */
class SnapshotRulesTest {
  @TempDir java.nio.file.Path dir;

  private static SnapshotEntry entry(String id, String name, int extra) {
    return new SnapshotEntry(0, 0, id, name, 0, 0, 0, 0, 0, 0, new byte[extra]);
  }

  @Test
  void idsAreTheNextDecimalAsStrtoulReadsThem() {
    assertEquals("1", SnapshotRules.nextId(List.of()));
    assertEquals("3", SnapshotRules.nextId(List.of(entry("1", "a", 24), entry("2", "b", 24))));
    assertEquals("8", SnapshotRules.nextId(List.of(entry(" +7x", "a", 24))));
    assertEquals("1", SnapshotRules.nextId(List.of(entry("abc", "a", 24))));
    // strtoul("-1") is ULONG_MAX; one more wraps to 0, as %lu of id_max + 1 prints it.
    assertEquals("0", SnapshotRules.nextId(List.of(entry("-1", "a", 24))));
    assertEquals("0", SnapshotRules.nextId(List.of(entry("99999999999999999999999", "a", 24))));
    assertEquals("18446744073709551615",
        SnapshotRules.nextId(List.of(entry("18446744073709551614", "a", 24))));
  }

  @Test
  void lookupsTakeTheIdFirst() {
    List<SnapshotEntry> l = List.of(entry("1", "2", 24), entry("2", "x", 24));
    assertEquals(1, SnapshotRules.find(l, "2").getAsInt());
    assertEquals(0, SnapshotRules.find(l, "1").getAsInt());
    assertEquals(1, SnapshotRules.find(l, "x").getAsInt());
    assertTrue(SnapshotRules.find(l, "y").isEmpty());
  }

  @Test
  void tableLimitsAreQemus() throws Exception {
    try (Qcow2Image image = Qcow2Image.create(dir.resolve("m.qcow2"),
        CreateOptions.defaults(1 << 20))) {
      List<SnapshotEntry> many = new ArrayList<>();
      for (int i = 0; i < 65536; i++) {
        many.add(entry(Integer.toString(i + 1), "s" + i, 24));
      }
      SnapshotRules.checkTable(image, many, "x"); // exactly the limit
      many.add(entry("65537", "one too many", 24));
      Qcow2Exception e = assertThrows(Qcow2Exception.class,
          () -> SnapshotRules.checkTable(image, many, "Could not create snapshot 'a'"));
      assertTrue(e.getMessage().contains("Could not create snapshot 'a': -27 (File too large)"),
          e.getMessage());
      // 64 MiB: entries of 1024 bytes of extra data (QEMU's maximum) reach it first.
      List<SnapshotEntry> big = new ArrayList<>();
      long bytes = 0;
      int i = 0;
      while (bytes + 1080 <= 64L << 20) {
        SnapshotEntry s = entry(Integer.toString(++i), "b" + i, 1024);
        big.add(s);
        bytes += s.length();
      }
      SnapshotRules.checkTable(image, big, "x");
      big.add(entry("0", "b".repeat(200), 1024));
      assertThrows(Qcow2Exception.class, () -> SnapshotRules.checkTable(image, big, "x"));
    }
  }
}
