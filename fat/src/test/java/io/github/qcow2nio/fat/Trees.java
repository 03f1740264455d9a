package io.github.qcow2nio.fat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Directory trees as maps from "/a/b" to bytes ("/a/" to null for a directory): generated from a
 * seed, written with mtools, and read back through our provider or through mtools.
 */
final class Trees {
  private Trees() {}

  private static final String[] NAMES = {
    "README.TXT", "lower.txt", "A long file name.text", "MiXeD.Case", "multi.dot.name.tar.gz",
    "spaces in  name", "x", "ABCDEFGH.IJK", "abcdefghi.jk", "with+plus,comma;semi=eq",
    "Very long name that goes on and on past the thirteen characters of one entry.bin",
    ".hidden", "NoExt", "UPPER.T", "data_1", "data_2", "data_3", "file~1.txt", "#hash$dollar",
  };

  /** A random tree: up to five levels deep, empty files, files of many clusters. */
  static LinkedHashMap<String, byte[]> random(long seed, int clusterSize) {
    Random r = new Random(seed);
    LinkedHashMap<String, byte[]> t = new LinkedHashMap<>();
    List<String> dirs = new java.util.ArrayList<>(List.of(""));
    for (int i = 0; i < 28; i++) {
      String parent = dirs.get(r.nextInt(dirs.size()));
      String name = NAMES[r.nextInt(NAMES.length)] + (r.nextInt(3) == 0 ? "" + i : "");
      String path = parent + "/" + name;
      if (t.keySet().stream().anyMatch(k -> k.equalsIgnoreCase(path)
          || k.equalsIgnoreCase(path + "/"))) {
        continue;
      }
      if (r.nextInt(4) == 0 && parent.split("/").length < 6) {
        t.put(path + "/", null);
        dirs.add(path);
      } else {
        int kind = r.nextInt(4);
        int size = kind == 0 ? 0 : kind == 1 ? r.nextInt(600) : kind == 2
            ? clusterSize * (1 + r.nextInt(12)) + r.nextInt(clusterSize) : clusterSize;
        byte[] b = new byte[size];
        r.nextBytes(b);
        t.put(path, b);
      }
    }
    return t;
  }

  /** Writes {@code tree} with mmd and mcopy, in order, through files in {@code tmp}. */
  static void mtoolsWrite(Path img, Map<String, byte[]> tree, Path tmp) throws IOException {
    for (Map.Entry<String, byte[]> e : tree.entrySet()) {
      if (e.getValue() == null) {
        String d = e.getKey().substring(0, e.getKey().length() - 1);
        Tools.ok("mmd", "-i", img.toString(), "::" + d);
      } else {
        Path f = tmp.resolve("content");
        Files.write(f, e.getValue());
        Tools.ok("mcopy", "-i", img.toString(), f.toString(), "::" + e.getKey());
      }
    }
  }

  /** The tree under {@code root} of a FAT file system, as the map form. */
  static TreeMap<String, byte[]> read(Path root) throws IOException {
    TreeMap<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.forEach(p -> {
        if (p.equals(root)) {
          return;
        }
        try {
          if (Files.isDirectory(p)) {
            out.put(p.toString() + "/", null);
          } else {
            byte[] b = Files.readAllBytes(p);
            if (b.length != Files.size(p)) {
              throw new IllegalStateException(p + ": read " + b.length + " of " + Files.size(p));
            }
            out.put(p.toString(), b);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return out;
  }

  /** The tree of an image as mdir lists it and mtype reads it. */
  static TreeMap<String, byte[]> mtoolsRead(Path img) throws IOException {
    TreeMap<String, byte[]> out = new TreeMap<>();
    for (String p : Tools.mdirPaths(img)) {
      out.put(p, p.endsWith("/") ? null : Tools.mtype(img, p));
    }
    return out;
  }

  /** A readable difference of two trees, or "" when equal. */
  static String diff(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    StringBuilder b = new StringBuilder();
    TreeMap<String, byte[]> all = new TreeMap<>(expected);
    all.putAll(actual);
    for (String k : all.keySet()) {
      if (!expected.containsKey(k)) {
        b.append("unexpected ").append(k).append('\n');
      } else if (!actual.containsKey(k)) {
        b.append("missing ").append(k).append('\n');
      } else if (!Arrays.equals(expected.get(k), actual.get(k))) {
        byte[] e = expected.get(k);
        byte[] a = actual.get(k);
        b.append("differs ").append(k).append(": ").append(e == null ? "dir" : e.length)
            .append(" vs ").append(a == null ? "dir" : a.length).append(" bytes\n");
      }
    }
    return b.toString();
  }

  static TreeMap<String, byte[]> sorted(Map<String, byte[]> m) {
    return new TreeMap<>(m);
  }
}
