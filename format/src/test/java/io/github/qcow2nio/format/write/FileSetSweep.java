package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.testing.Knobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The crash sweep of an operation over a set of files held as bytes by name (a chain, an image
 * and its data file): one run without a fault counts the host writes and forces it makes (its
 * fault points), then it runs again with a failure of one mode at every
 * {@link Knobs#FAULT_STRIDE}-th point. The files as each failure left them are written to a
 * directory of their own, judged, and deleted.
 */
final class FileSetSweep {
  private FileSetSweep() {}

  /** The operation on the seed files, failing as {@code crash} says; the files it leaves. */
  @FunctionalInterface
  interface Operation {
    Map<String, byte[]> run(FaultyLocation.Crash crash) throws IOException;
  }

  /** What must hold of the files in {@code at}; {@code what} names the fault in messages. */
  @FunctionalInterface
  interface Verdict {
    void judge(Path at, Map<String, byte[]> after, String what) throws IOException;
  }

  static void sweep(String label, FaultyLocation.Mode mode, Path dir, Operation operation,
      Verdict verdict) throws IOException {
    FaultyLocation.Crash dry = new FaultyLocation.Crash();
    operation.run(dry);
    long points = dry.points;
    System.out.println("fault sweep " + label + ", " + mode + ": " + points + " fault points");
    assertTrue(points >= 3, label + ": only " + points + " fault points");
    for (long p = 0; p < points; p += Knobs.FAULT_STRIDE) {
      FaultyLocation.Crash crash = new FaultyLocation.Crash();
      crash.target = p;
      crash.mode = mode;
      crash.rnd = new Random(p * 4 + mode.ordinal());
      String what = label + ", " + mode + " at fault point " + p + " of " + points;
      Map<String, byte[]> after;
      try {
        after = operation.run(crash);
      } finally {
        Thread.interrupted();
      }
      assertTrue(crash.fired, what + ": never reached");
      Path at = Files.createDirectories(dir.resolve("p" + p + mode));
      write(at, after);
      verdict.judge(at, after, what);
      deleteTree(at);
    }
  }

  /** An operation on an image of a file set, opened through {@code image}. */
  @FunctionalInterface
  interface OnImage {
    void run(ImageLocation image) throws IOException;
  }

  /**
   * Runs {@code operation} on in-memory copies of {@code seed} whose host writes fail as
   * {@code crash} says, {@code top} being the image it opens; returns the files it left (after
   * a power loss: what the disk holds). A failure must be the injected one.
   */
  static Map<String, byte[]> onCopies(Map<String, byte[]> seed, String top, Path dir,
      FaultyLocation.Crash crash, OnImage operation) throws IOException {
    Map<String, FaultyLocation.File> files = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : seed.entrySet()) {
      files.put(e.getKey(), FaultyLocation.File.of(crash, e.getValue()));
    }
    boolean crashed = false;
    try {
      operation.run(new FaultyLocation(top, files, crash, dir));
    } catch (FaultyLocation.Crashed c) {
      crashed = true;
    } catch (IOException e) {
      FaultyLocation.requireInjected(e, "the operation");
    }
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, FaultyLocation.File> e : files.entrySet()) {
      out.put(e.getKey(), crashed && crash.mode == FaultyLocation.Mode.POWER_LOSS
          ? e.getValue().afterPowerLoss(crash.rnd) : e.getValue().current.clone());
    }
    return out;
  }

  static void write(Path d, Map<String, byte[]> files) throws IOException {
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Files.write(d.resolve(e.getKey()), e.getValue());
    }
  }

  static void deleteTree(Path d) throws IOException {
    try (Stream<Path> s = Files.walk(d)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
