package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.testing.HostileImages;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The qcow2 provider on every crafted image of format's {@link HostileImages}, in this JVM
 * (meant to be a child with -Xmx128m, see {@link BoundedProviderTest}): the file system opened
 * read-only, /disk and every /snapshots entry read from both ends and their attributes read;
 * then opened read-write and /disk written. One line per image: {@code CASE <tab> name <tab>
 * milliseconds <tab> outcome}; anything but a result or an IOException is a FAIL, an image still
 * running after 30 s a HANG that ends the JVM.
 */
public final class ProviderBoundsMain {
  private ProviderBoundsMain() {}

  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory("provider-bounds");
    boolean failed = false;
    int n = 0;
    for (HostileImages.Image image : HostileImages.all()) {
      Path dir = Files.createDirectory(root.resolve("case" + n++));
      for (int i = 0; i < 300 && image.files().get("d" + i) != null; i++) {
        Files.write(dir.resolve("d" + i), image.files().get("d" + i));
      }
      try {
        for (Map.Entry<String, byte[]> f : image.files().entrySet()) {
          Files.write(dir.resolve(f.getKey()), f.getValue());
        }
      } catch (UnsupportedOperationException generatedOnDemand) {
        // the deep chain: written above, 300 deep (the provider stops at 256)
      }
      Path img = dir.resolve(image.image());
      AtomicReference<String> outcome = new AtomicReference<>("FAIL no outcome");
      long start = System.nanoTime();
      Thread t = new Thread(() -> outcome.set(exercise(img)), "provider");
      t.setDaemon(true);
      t.start();
      t.join(30_000);
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (t.isAlive()) {
        System.out.println("CASE\t" + image.name() + "\t" + ms + "\tHANG");
        System.out.flush();
        System.exit(3);
      }
      failed |= outcome.get().startsWith("FAIL");
      System.out.println("CASE\t" + image.name() + "\t" + ms + "\t" + outcome.get());
    }
    System.out.flush();
    System.exit(failed ? 2 : 0);
  }

  static String exercise(Path img) {
    URI uri = URI.create("qcow2:" + img.toUri());
    String read = "-";
    try {
      read = step(() -> {
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("accessMode", "readOnly"))) {
          read(fs.getPath("/disk"));
          try (DirectoryStream<Path> s = Files.newDirectoryStream(fs.getPath("/snapshots"))) {
            for (Path p : s) {
              read(p);
            }
          } catch (DirectoryIteratorException e) {
            throw e.getCause();
          }
        }
      });
      String write = step(() -> {
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("accessMode", "readWrite"));
            SeekableByteChannel ch = Files.newByteChannel(fs.getPath("/disk"),
                StandardOpenOption.WRITE)) {
          ch.write(ByteBuffer.wrap(new byte[4096]));
        }
      });
      return "read " + read + "; write " + write;
    } catch (Throwable t) {
      return "FAIL read " + read + " " + t;
    }
  }

  interface Step {
    void run() throws IOException;
  }

  /** "ok" or the IOException's class; anything else propagates to {@link #exercise}. */
  static String step(Step s) {
    try {
      s.run();
      return "ok";
    } catch (IOException e) {
      return e.getClass().getSimpleName();
    }
  }

  static void read(Path p) throws IOException {
    Files.readAttributes(p, "qcow2:*");
    try (SeekableByteChannel ch = Files.newByteChannel(p)) {
      ByteBuffer b = ByteBuffer.allocate(65536);
      long size = ch.size();
      for (long pos = 0; pos < Math.min(size, 1L << 20); pos += b.capacity()) {
        ch.position(pos).read(b.clear());
      }
      if (size > 0) {
        ch.position(Math.max(0, size - b.capacity())).read(b.clear());
      }
    }
  }
}
