package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.testing.HostileImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The tool on every crafted image of format's {@link HostileImages}, in this JVM (meant to be a
 * child with -Xmx128m, see {@link BoundedToolTest}): info, check, map and convert, each run
 * in-process through {@link Main#run}. One line per command: {@code RUN <tab> image <tab> command
 * <tab> milliseconds <tab> status <tab> FAIL?}; a run that throws, prints a stack trace or exits
 * with a status qemu-img never uses is a FAIL; one still running after 30 s prints HANG and ends
 * the JVM.
 */
public final class ToolBoundsMain {
  private ToolBoundsMain() {}

  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory("tool-bounds");
    boolean failed = false;
    int n = 0;
    for (HostileImages.Image image : HostileImages.all()) {
      Path dir = Files.createDirectory(root.resolve("case" + n++));
      write(dir, image.files());
      String img = dir.resolve(image.image()).toString();
      String raw = dir.resolve("out.raw").toString();
      for (List<String> cmd : List.of(List.of("info", img), List.of("info", "--backing-chain", img),
          List.of("check", img), List.of("map", "--output=json", img),
          List.of("convert", "-O", "raw", img, raw))) {
        AtomicReference<String> outcome = new AtomicReference<>("FAIL no outcome");
        long start = System.nanoTime();
        Thread t = new Thread(() -> outcome.set(run(cmd)), "tool");
        t.setDaemon(true);
        t.start();
        t.join(30_000);
        long ms = (System.nanoTime() - start) / 1_000_000;
        String line = "RUN\t" + image.name() + "\t" + cmd.get(0) + (cmd.size() > 2
            && cmd.get(1).startsWith("--") ? " " + cmd.get(1) : "") + "\t" + ms + "\t";
        if (t.isAlive()) {
          System.out.println(line + "HANG");
          System.out.flush();
          System.exit(3);
        }
        failed |= outcome.get().contains("FAIL");
        System.out.println(line + outcome.get());
      }
    }
    System.out.flush();
    System.exit(failed ? 2 : 0);
  }

  /** The status, and FAIL with the reason when the tool did not end as a tool should. */
  static String run(List<String> cmd) {
    try {
      ToolRun r = ToolRun.of(cmd.toArray(String[]::new));
      // qemu-img's statuses: 0, 1 (error), and for check 2 (corruptions) and 3 (leaks).
      boolean statusOk = r.status() >= 0 && r.status() <= (cmd.get(0).equals("check") ? 3 : 1);
      if (!statusOk || r.err().contains("\tat ") || r.err().contains("Exception in")) {
        return r.status() + "\tFAIL " + r.err().lines().limit(5).toList();
      }
      return Integer.toString(r.status());
    } catch (Throwable t) {
      return "-\tFAIL " + t;
    }
  }

  /** The image's files; a chain made on demand is written 300 deep (the tool stops at 256). */
  static void write(Path dir, Map<String, byte[]> files) throws IOException {
    for (int i = 0; i < 300 && files.get("d" + i) != null; i++) {
      Files.write(dir.resolve("d" + i), files.get("d" + i));
    }
    try {
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        Files.write(dir.resolve(f.getKey()), f.getValue());
      }
    } catch (UnsupportedOperationException generatedOnDemand) {
      // written above
    }
  }
}
