package io.github.qcow2nio.format.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.struct.ClusterType;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * {@link Qcow2Disk#blockStatus} against {@code qemu-img map --output=json} on single-layer images:
 * each extent, in qemu-img's terms (present, zero, data, offset) and merged the way qemu-img merges
 * adjacent entries, must give qemu-img's map exactly.
 */
@Tag("qemu")
class BlockStatusTest {
  @TempDir Path dir;

  private static final Pattern ENTRY = Pattern.compile(
      "\\{ \"start\": (\\d+), \"length\": (\\d+), \"depth\": 0, \"present\": (true|false), "
          + "\"zero\": (true|false), \"data\": (true|false)(?:, \"offset\": (\\d+))?\\}");

  /** One qemu-img map entry. {@code offset} is -1 when qemu-img prints none. */
  record Entry(long start, long length, boolean present, boolean zero, boolean data,
      long offset) {}

  // Writes cover whole clusters: a partly written cluster leaves a hole in the host file, and
  // qemu-img sometimes reports holes as zeros (when it guesses the image was preallocated), a
  // file-system detail outside the qcow2 layer that blockStatus describes.

  @Test
  void plainClustersZerosAndCompressed() throws IOException {
    check("plain", "", "4M", "write -P 1 0 64k", "write -P 2 64k 64k", "write -z 256k 128k",
        "write -c -P 3 512k 64k", "write -c -P 4 576k 64k", "write -P 5 1M 192k",
        "write -z 1088k 64k", "write -P 6 4032k 64k");
  }

  @Test
  void preallocatedZerosKeepTheirOffset() throws IOException {
    // write -z over allocated clusters keeps them reserved (ZERO_ALLOC); -u releases them.
    check("zero-alloc", "", "2M", "write -P 1 0 512k", "write -z 64k 128k",
        "write -z -u 320k 64k");
  }

  @Test
  void smallClustersCrossManyL2Tables() throws IOException {
    // 512-byte clusters: one L2 table covers 32 KiB, so runs must continue across tables.
    check("small", "cluster_size=512", "1M", "write -P 1 0 100k", "write -z 100k 50k",
        "write -P 2 300k 1k", "write -c -P 3 400k 2k", "write -P 4 1000k 24k");
  }

  @Test
  void subclustersWithExtendedL2() throws IOException {
    check("extl2", "extended_l2=on", "4M", "write -P 1 0 4k", "write -z 64k 4k",
        "write -P 2 128k 128k", "write -z 128k 8k", "write -z -u 160k 8k",
        "write -P 3 1M 2k", "write -c -P 4 2M 64k");
  }

  @Test
  void externalDataFile() throws IOException {
    Path data = dir.resolve("data.bin");
    check("external", "data_file=" + data, "4M", "write -P 1 0 64k", "write -P 2 1M 128k",
        "write -z 2M 64k");
  }

  @Test
  void rawExternalDataFile() throws IOException {
    Path data = dir.resolve("raw-data.bin");
    check("external-raw", "data_file=" + data + ",data_file_raw=on", "3M", "write -P 1 0 64k",
        "write -z 1M 64k");
  }

  @Test
  void versionTwo() throws IOException {
    check("v2", "compat=0.10", "2M", "write -P 1 0 64k", "write -z 1M 64k",
        "write -c -P 2 1536k 64k");
  }

  @Test
  void seesWhatTheWritePathWrote() throws IOException {
    Qemu.assumeAvailable();
    Path img = dir.resolve("written.qcow2");
    Qemu.img("create", "-f", "qcow2", img.toString(), "4M");
    List<Entry> seen = new ArrayList<>();
    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readWrite())) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      disk.write(java.nio.ByteBuffer.wrap(new byte[128 * 1024]).put(0, (byte) 1), 64 * 1024);
      disk.write(java.nio.ByteBuffer.wrap(new byte[64 * 1024]).put(0, (byte) 2), 3 << 20);
      disk.writeZeros(64 * 1024, 64 * 1024);
      disk.writeZeros(1 << 20, 192 * 1024);
      disk.flush();
      for (long pos = 0; pos < disk.size(); ) {
        Extent e = disk.blockStatus(pos, Long.MAX_VALUE);
        add(seen, entry(e));
        pos = e.end();
      }
    }
    assertEquals(parse(Qemu.img("map", "--output=json", img.toString())), seen);
  }

  @Test
  void runsStopAtMaxLengthAndStartMidCluster() throws IOException {
    Qemu.assumeAvailable();
    Path img = dir.resolve("limits.qcow2");
    Qemu.img("create", "-f", "qcow2", img.toString(), "1M");
    Qemu.io(img, "write -P 1 0 256k");
    String map = Qemu.img("map", "--output=json", img.toString());
    long host = parse(map).get(0).offset();
    try (Qcow2Image image = Qcow2Image.open(img)) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      Extent e = disk.blockStatus(1000, 5000);
      assertEquals(new Extent(1000, 5000, ClusterType.NORMAL, host + 1000), e);
      Extent rest = disk.blockStatus(100_000, Long.MAX_VALUE);
      assertEquals(ClusterType.NORMAL, rest.type());
      assertEquals(256 * 1024 - 100_000, rest.length());
      Extent tail = disk.blockStatus(1024 * 1024 - 1, Long.MAX_VALUE);
      assertEquals(new Extent(1024 * 1024 - 1, 1, ClusterType.UNALLOCATED, Extent.NO_HOST), tail);
      assertThrows(IllegalArgumentException.class, () -> disk.blockStatus(1024 * 1024, 1));
      assertThrows(IllegalArgumentException.class, () -> disk.blockStatus(-1, 1));
      assertThrows(IllegalArgumentException.class, () -> disk.blockStatus(0, 0));
    }
  }

  private void check(String name, String options, String size, String... writes)
      throws IOException {
    Qemu.assumeAvailable();
    Path img = dir.resolve(name + ".qcow2");
    if (options.isEmpty()) {
      Qemu.img("create", "-f", "qcow2", img.toString(), size);
    } else {
      Qemu.img("create", "-f", "qcow2", "-o", options, img.toString(), size);
    }
    Qemu.io(img, writes);
    List<Entry> expected = parse(Qemu.img("map", "--output=json", img.toString()));
    List<Entry> actual = new ArrayList<>();
    try (Qcow2Image image = Qcow2Image.open(img, OpenOptions.readOnly())) {
      Qcow2Disk disk = (Qcow2Disk) image.disk();
      long pos = 0;
      while (pos < disk.size()) {
        Extent e = disk.blockStatus(pos, disk.size() - pos);
        assertEquals(pos, e.start());
        assertTrue(e.length() > 0);
        add(actual, entry(e));
        pos = e.end();
      }
    }
    assertEquals(expected, actual);
  }

  /** An extent as qemu-img map reports a single layer (qcow2-facts §16). */
  private static Entry entry(Extent e) {
    long offset = e.hasHostOffset() ? e.hostOffset() : -1;
    return switch (e.type()) {
      case NORMAL -> new Entry(e.start(), e.length(), true, false, true, offset);
      case ZERO -> new Entry(e.start(), e.length(), true, true, false, offset);
      case COMPRESSED -> new Entry(e.start(), e.length(), true, false, true, -1);
      case UNALLOCATED -> new Entry(e.start(), e.length(), false, true, false, offset);
    };
  }

  /** Appends, merging with the last entry where qemu-img would. */
  private static void add(List<Entry> list, Entry e) {
    if (!list.isEmpty()) {
      Entry last = list.get(list.size() - 1);
      boolean sameFlags = last.present() == e.present() && last.zero() == e.zero()
          && last.data() == e.data() && (last.offset() == -1) == (e.offset() == -1);
      if (sameFlags && (e.offset() == -1 || last.offset() + last.length() == e.offset())) {
        list.set(list.size() - 1, new Entry(last.start(), last.length() + e.length(),
            last.present(), last.zero(), last.data(), last.offset()));
        return;
      }
    }
    list.add(e);
  }

  private static List<Entry> parse(String json) {
    List<Entry> list = new ArrayList<>();
    Matcher m = ENTRY.matcher(json);
    while (m.find()) {
      list.add(new Entry(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
          Boolean.parseBoolean(m.group(3)), Boolean.parseBoolean(m.group(4)),
          Boolean.parseBoolean(m.group(5)), m.group(6) == null ? -1 : Long.parseLong(m.group(6))));
    }
    assertEquals(json.lines().count(), list.size(), "unparsed qemu-img map output:\n" + json);
    return list;
  }
}
