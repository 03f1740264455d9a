package io.github.qcow2nio.partition.testing;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A partition listing in sfdisk's terms (sectors, type as sfdisk prints it, attribute names), to
 * compare what sfdisk --json says with what the partition file system says.
 */
public final class Listing {
  private Listing() {}

  /** One partition as sfdisk --json lists it; absent fields are "" (uuid "" for MBR). */
  public record Row(int number, long start, long size, String type, String uuid, String name,
      String attrs, boolean bootable) {}

  /** The partitions sfdisk --json lists for {@code disk}. */
  public static List<Row> sfdisk(Path disk, String... extraArgs) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("sfdisk", "--json"));
    cmd.addAll(List.of(extraArgs));
    cmd.add(disk.toString());
    return sfdiskJson(Tools.ok(cmd.toArray(String[]::new)));
  }

  /** The partitions in what sfdisk --json printed. */
  @SuppressWarnings("unchecked")
  public static List<Row> sfdiskJson(String json) {
    Map<String, Object> root = (Map<String, Object>) Json.parse(json);
    Map<String, Object> table = (Map<String, Object>) root.get("partitiontable");
    List<Row> rows = new ArrayList<>();
    for (Object o : (List<Object>) table.getOrDefault("partitions", List.of())) {
      Map<String, Object> p = (Map<String, Object>) o;
      String node = (String) p.get("node");
      int n = Integer.parseInt(node.replaceAll("^.*?([0-9]+)$", "$1"));
      rows.add(new Row(n, (Long) p.get("start"), (Long) p.get("size"),
          ((String) p.get("type")).toUpperCase(Locale.ROOT),
          (String) p.getOrDefault("uuid", ""), (String) p.getOrDefault("name", ""),
          (String) p.getOrDefault("attrs", ""), Boolean.TRUE.equals(p.get("bootable"))));
    }
    return rows;
  }

  /** sfdisk's "id" of the table: the GPT disk GUID or the MBR signature "0x%08x". */
  @SuppressWarnings("unchecked")
  public static String sfdiskId(Path disk, String... extraArgs) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("sfdisk", "--json"));
    cmd.addAll(List.of(extraArgs));
    cmd.add(disk.toString());
    Map<String, Object> root = (Map<String, Object>) Json.parse(
        Tools.ok(cmd.toArray(String[]::new)));
    return (String) ((Map<String, Object>) root.get("partitiontable")).get("id");
  }

  /** The partitions of an open partition file system, through its "partition" attributes. */
  public static List<Row> of(FileSystem fs) throws IOException {
    List<Row> rows = new ArrayList<>();
    try (Stream<Path> s = Files.list(fs.getPath("/"))) {
      for (Path p : s.toList()) {
        Map<String, Object> a = Files.readAttributes(p, "partition:*");
        int sectorSize = (Integer) a.get("sectorSize");
        long start = (Long) a.get("start");
        long size = (Long) a.get("size");
        UUID unique = (UUID) a.get("uniqueGuid");
        boolean gpt = a.get("scheme").equals("gpt");
        rows.add(new Row((Integer) a.get("number"), start / sectorSize, size / sectorSize,
            ((String) a.get("type")).toUpperCase(Locale.ROOT),
            unique == null ? "" : unique.toString().toUpperCase(Locale.ROOT),
            (String) a.get("name"), gpt ? attrs((Long) a.get("attributes")) : "",
            (Boolean) a.get("bootable")));
        if (Integer.parseInt(p.getFileName().toString()) != (Integer) a.get("number")) {
          throw new AssertionError(p + " has number " + a.get("number"));
        }
      }
    }
    rows.sort(Comparator.comparingInt(Row::number));
    return rows;
  }

  /** GPT attribute bits the way sfdisk names them. */
  public static String attrs(long bits) {
    List<String> out = new ArrayList<>();
    if ((bits & 1) != 0) {
      out.add("RequiredPartition");
    }
    if ((bits & 2) != 0) {
      out.add("NoBlockIOProtocol");
    }
    if ((bits & 4) != 0) {
      out.add("LegacyBIOSBootable");
    }
    List<String> guid = new ArrayList<>();
    for (int b = 48; b < 64; b++) {
      if ((bits & (1L << b)) != 0) {
        guid.add(Integer.toString(b));
      }
    }
    if (!guid.isEmpty()) {
      out.add("GUID:" + String.join(",", guid));
    }
    return String.join(" ", out);
  }
}
