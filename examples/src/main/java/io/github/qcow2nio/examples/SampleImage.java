package io.github.qcow2nio.examples;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The small qcow2 image bundled in the jar (made by qemu-img; see examples/README.md), copied to
 * a temporary file so that it can be opened like any other image.
 */
public final class SampleImage implements Closeable {
  public static final String NAME = "sample.qcow2";

  private final Path dir;
  private final Path path;

  private SampleImage(Path dir, Path path) {
    this.dir = dir;
    this.path = path;
  }

  public static SampleImage extract() throws IOException {
    Path dir = Files.createTempDirectory("qcow2-sample");
    Path path = dir.resolve(NAME);
    try (InputStream in = SampleImage.class.getResourceAsStream("/" + NAME)) {
      if (in == null) {
        Files.delete(dir);
        throw new IOException(NAME + " is missing from the jar");
      }
      Files.copy(in, path);
    } catch (IOException e) {
      Files.deleteIfExists(path);
      Files.deleteIfExists(dir);
      throw e;
    }
    return new SampleImage(dir, path);
  }

  public Path path() {
    return path;
  }

  @Override
  public void close() throws IOException {
    Files.deleteIfExists(path);
    Files.deleteIfExists(dir);
  }
}
