package io.github.qcow2nio.format.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** The golden images under src/test/resources/golden, unpacked into a directory. */
public final class Golden {
  private Golden() {}

  /**
   * The resource directory itself: a directory of format's test classes, or a directory inside
   * format's test jar when another module's tests read it (a zip file system, opened once).
   */
  public static Path resources() {
    try {
      URI uri = Golden.class.getResource("/golden/SHA256SUMS").toURI();
      if (uri.getScheme().equals("jar")) {
        try {
          FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          // Opened by an earlier call: Path.of finds it.
        }
      }
      return Path.of(uri).getParent();
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Copies every golden file into {@code dir}, gunzipping {@code *.gz}; returns {@code dir}. */
  public static Path unpack(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(resources())) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (name.endsWith(".gz")) {
          try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
            Files.copy(in, dir.resolve(name.substring(0, name.length() - 3)));
          }
        } else {
          Files.copy(f, dir.resolve(name));
        }
      }
    }
    return dir;
  }

  /** One golden image's bytes (unzipped). */
  public static byte[] bytes(String name) {
    Path p = resources().resolve(name);
    try {
      if (Files.exists(p)) {
        return Files.readAllBytes(p);
      }
      try (InputStream in = new GZIPInputStream(Files.newInputStream(
          resources().resolve(name + ".gz")))) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SHA256SUMS: image name (or {@code image@snapshot}) to the hex SHA-256 of its raw contents. */
  public static Map<String, String> sums() throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : Files.readAllLines(resources().resolve("SHA256SUMS"),
        StandardCharsets.US_ASCII)) {
      if (!line.isBlank()) {
        String[] parts = line.trim().split("\\s+");
        m.put(parts[1], parts[0]);
      }
    }
    return m;
  }
}
