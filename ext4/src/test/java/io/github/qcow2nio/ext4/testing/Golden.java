package io.github.qcow2nio.ext4.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The committed images (made by {@code golden/make-golden.py} with mkfs.ext4) and what debugfs
 * said of them when they were made.
 */
public final class Golden {
  public static final List<String> NAMES = List.of("ext4-1k", "ext2-1k", "ext4-inline",
      "ext3-journal");

  private Golden() {}

  /** One manifest line: what debugfs printed for a path. */
  public record Entry(String path, long ino, int mode, long uid, long gid, long size, int links,
      String content) {
    public boolean isRegularFile() {
      return (mode & 0170000) == 0100000;
    }

    public boolean isSymlink() {
      return (mode & 0170000) == 0120000;
    }

    public boolean isDirectory() {
      return (mode & 0170000) == 0040000;
    }
  }

  public static byte[] image(String name) {
    try (InputStream in = resource(name + ".img.gz"); InputStream gz = new GZIPInputStream(in)) {
      return gz.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<Entry> manifest(String name) {
    List<Entry> out = new ArrayList<>();
    for (String line : text(name + ".manifest").split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      out.add(new Entry(f[0], Long.parseLong(f[1]), Integer.parseInt(f[2], 8),
          Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]),
          Integer.parseInt(f[6]), f[7]));
    }
    return out;
  }

  public static String text(String resource) {
    try (InputStream in = resource(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = Golden.class.getResourceAsStream("/golden/" + name);
    if (in == null) {
      throw new IOException("no golden resource " + name);
    }
    return in;
  }
}
