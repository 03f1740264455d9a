package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long names (UCS-2, case, many that share an 8.3 basis), short-name generation and timestamps,
 * as mtools and fsck.fat see them, both ways.
 */
class NamesTest {
  private static final String UTF8 = "C.utf8";

  @TempDir Path tmp;

  private static List<String> names() {
    List<String> n = new ArrayList<>(List.of("Ünïcødé name.txt", "日本語のファイル.txt",
        "lower.txt", "UPPER.TXT", "Mixed.Txt", "a.b.c.d", ".hidden", "name with spaces",
        "EXACTLY8.EXT", "exactly8.ext2", "x"));
    for (int i = 1; i <= 12; i++) {
      n.add("long name number " + i + ".txt");
    }
    return n;
  }

  @Test
  void namesWeWriteReadTheSameInMtools() throws Exception {
    Path img = Volumes.format(tmp.resolve("n.img"), 2L << 20, FatType.FAT12);
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      Files.createDirectory(fs.getPath("/Dir ü"));
      for (String n : names()) {
        Files.writeString(fs.getPath("/Dir ü/" + n), n);
      }
      try (Stream<Path> s = Files.list(fs.getPath("/Dir ü"))) {
        assertEquals(new TreeSet<>(names()),
            s.map(p -> p.getFileName().toString()).collect(TreeSet::new, TreeSet::add,
                TreeSet::addAll));
      }
    }
    Tools.assume("fsck.fat", "mdir", "mtype");
    Tools.assertFsckClean(img);
    TreeSet<String> listed = new TreeSet<>();
    for (String line : Tools.runIn(UTF8, "mdir", "-/", "-a", "-b", "-i", img.toString(), "::/")
        .text().split("\n")) {
      if (line.startsWith("::/Dir ü/") && !line.endsWith("/")) {
        listed.add(line.substring("::/Dir ü/".length()));
      }
    }
    assertEquals(new TreeSet<>(names()), listed);
    for (String n : names()) {
      assertEquals(n, new String(Tools.runIn(UTF8, "mtype", "-i", img.toString(),
          "::/Dir ü/" + n).out(), StandardCharsets.UTF_8));
    }
    // 8.3 aliases: the twelve long names share the basis LONGNA and take ~1.. tails.
    String dir = Tools.runIn(UTF8, "mdir", "-a", "-i", img.toString(), "::/Dir ü").text();
    assertTrue(dir.contains("LONGNA~1 TXT") && dir.contains("LONGN~10 TXT"), dir);
  }

  @Test
  void namesAndTimesMtoolsWroteReadTheSameHere() throws Exception {
    Tools.assume("mkfs.fat", "mcopy", "mdir");
    Path img = tmp.resolve("m.img");
    try (var f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
      f.setLength(2L << 20);
    }
    Tools.ok("mkfs.fat", "-F", "12", img.toString());
    Path src = tmp.resolve("src");
    Files.writeString(src, "content");
    // mcopy turns non-ASCII characters of a target name into '_' whatever the locale.
    List<String> ascii = names().stream().filter(n -> n.chars().allMatch(c -> c < 128)).toList();
    for (String n : ascii) {
      Tools.ok("mcopy", "-i", img.toString(), src.toString(), "::/" + n);
    }
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      try (Stream<Path> s = Files.list(fs.getPath("/"))) {
        assertEquals(new TreeSet<>(ascii), s.map(p -> p.getFileName().toString())
            .collect(TreeSet::new, TreeSet::add, TreeSet::addAll));
      }
      // mdir prints each entry's stored local date and time to the minute.
      String listing = Tools.ok("mdir", "-i", img.toString(), "::/").text();
      LocalDateTime t = LocalDateTime.ofInstant(Files.getLastModifiedTime(
          fs.getPath("/UPPER.TXT")).toInstant(), ZoneId.systemDefault());
      String expect = "UPPER    TXT         7 " + t.format(DateTimeFormatter.ofPattern(
          "yyyy-MM-dd")) + " +" + t.getHour() + String.format(":%02d", t.getMinute()) + "\\s";
      assertTrue(java.util.regex.Pattern.compile(expect).matcher(listing).find(),
          expect + " in\n" + listing);
    }
  }
}
