package io.github.qcow2nio.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How big and how long a run is.
 *
 * @param scaleMiB the size of the "1 GiB" images in MiB; every other size scales with it (the
 *     text image is half of it, the sparse image 8 TiB at 1024)
 * @param rounds timed rounds per side of a row; the fastest counts
 * @param dir scratch directory for the images (kept when the caller gave it)
 * @param toolJar examples/target/qcow2.jar for the whole-process info row; null when not found
 * @param jmhMillis length of each JMH warm-up and measurement iteration
 */
record Settings(int scaleMiB, int rounds, Path dir, Path toolJar, int jmhMillis) {

  /** The size the issue names: 1 GiB. */
  static final int FULL_SCALE_MIB = 1024;

  Settings {
    if (scaleMiB < 4 || Integer.bitCount(scaleMiB) != 1) {
      throw new IllegalArgumentException(
          "scale must be a power of two of at least 4 MiB: " + scaleMiB);
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds must be at least 1: " + rounds);
    }
  }

  long bigBytes() {
    return (long) scaleMiB << 20;
  }

  long textBytes() {
    return bigBytes() / 2;
  }

  /** 8 TiB at full scale. */
  long sparseBytes() {
    return (8L << 40) / FULL_SCALE_MIB * scaleMiB;
  }

  /**
   * Looks for the tool jar where a build of this repository leaves it: beside this module's
   * build output (bench/target/ to examples/target/), else relative to the working directory.
   */
  static Path findToolJar() {
    List<Path> candidates = new ArrayList<>();
    Path code = Path.of(Hi.classPath()).toAbsolutePath();
    // bench/target/qcow2-bench.jar or bench/target/classes: two levels up is the repository.
    if (code.getParent() != null && code.getParent().getParent() != null) {
      candidates.add(code.getParent().getParent().resolveSibling("examples/target/qcow2.jar"));
    }
    candidates.add(Path.of("examples/target/qcow2.jar"));
    candidates.add(Path.of("../examples/target/qcow2.jar"));
    for (Path candidate : candidates) {
      Path p = candidate.toAbsolutePath().normalize();
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }
}
