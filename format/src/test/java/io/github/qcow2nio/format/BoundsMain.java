package io.github.qcow2nio.format;

import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.testing.HostileImages;
import io.github.qcow2nio.format.testing.MemoryLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs every hostile image (HostileImageTest's table and {@link HostileImages}) through open,
 * read of every disk, check, and a writable open with writes and a repairing check, one image at
 * a time, printing one line per image: {@code CASE <tab> name <tab> milliseconds <tab> outcome}.
 * An outcome other than a result or an IOException prints {@code FAIL}; an image still running
 * after {@link #HANG_SECONDS} prints {@code HANG} and ends the JVM. Meant for a child JVM with a
 * small heap ({@link BoundedImagesTest}).
 */
public final class BoundsMain {
  static final int HANG_SECONDS = 30;

  private BoundsMain() {}

  record Named(String name, Map<String, byte[]> files, String image) {}

  static List<Named> table() {
    List<Named> all = new ArrayList<>();
    HostileImageTest t = new HostileImageTest();
    t.hostileImages();
    for (HostileImageTest.Case c : t.cases) {
      all.add(new Named(c.name(), c.files(), c.image()));
    }
    for (HostileImages.Image i : HostileImages.all()) {
      all.add(new Named(i.name(), i.files(), i.image()));
    }
    return all;
  }

  public static void main(String[] args) throws Exception {
    boolean failed = false;
    // -Dbounds.only=TEXT runs only the images whose name holds TEXT (to profile one by hand).
    String only = System.getProperty("bounds.only", "");
    for (Named n : table()) {
      if (!n.name().contains(only)) {
        continue;
      }
      AtomicReference<String> outcome = new AtomicReference<>("FAIL no outcome");
      long start = System.nanoTime();
      Thread worker = new Thread(() -> outcome.set(exercise(n)), "bounds");
      worker.setDaemon(true);
      worker.start();
      worker.join(HANG_SECONDS * 1000L);
      long ms = (System.nanoTime() - start) / 1_000_000;
      if (worker.isAlive()) {
        System.out.println("CASE\t" + n.name() + "\t" + ms + "\tHANG");
        System.out.flush();
        System.exit(3);
      }
      failed |= outcome.get().startsWith("FAIL");
      System.out.println("CASE\t" + n.name() + "\t" + ms + "\t" + outcome.get());
    }
    System.out.flush();
    System.exit(failed ? 2 : 0);
  }

  /** What the image came to: "ok" parts and IOException class names, or FAIL and a throwable. */
  static String exercise(Named n) {
    StringBuilder out = new StringBuilder();
    long cpu = java.lang.management.ManagementFactory.getThreadMXBean()
        .getCurrentThreadCpuTime();
    try {
      OpenOptions read = OpenOptions.builder().locking(false).build();
      MemoryLocation at = new MemoryLocation(n.files(), n.image());
      out.append("open+read ").append(attempt(() -> {
        try (Qcow2Image image = Qcow2Image.open(at, read)) {
          readSome(image.disk());
          image.bitmaps();
          for (SnapshotEntry s : image.snapshots()) {
            readSome(image.snapshotDisk(s.id()));
          }
        }
      }));
      out.append("; check ").append(attempt(() ->
          Qcow2Check.check(at, CheckOptions.check().toBuilder().locking(false).build())));
      Map<String, byte[]> copy = writableCopy(n.files());
      MemoryLocation rw = MemoryLocation.storing(copy, n.image());
      out.append("; write ").append(attempt(() -> {
        try (Qcow2Image image = Qcow2Image.open(rw,
            OpenOptions.builder().writable(true).locking(false).build())) {
          VirtualDisk d = image.disk();
          d.write(ByteBuffer.wrap(new byte[4096]), 0);
          d.write(ByteBuffer.wrap(new byte[512]), Math.max(0, d.size() / 2 - 512) & ~511L);
          d.flush();
        }
      }));
      out.append("; repair ").append(attempt(() -> Qcow2Check.check(rw,
          CheckOptions.repair(CheckOptions.Repair.ALL).toBuilder().locking(false).build())));
      // CPU time beside the wall-clock time: on a loaded machine the latter mostly waits.
      long cpuMs = (java.lang.management.ManagementFactory.getThreadMXBean()
          .getCurrentThreadCpuTime() - cpu) / 1_000_000;
      return out.append("; cpu ").append(cpuMs).append(" ms").toString();
    } catch (Throwable t) {
      return "FAIL " + out + " " + t;
    }
  }

  /** A copy the write steps may change; a map made on demand (the deep chain) keeps its own. */
  static Map<String, byte[]> writableCopy(Map<String, byte[]> files) {
    try {
      return new HashMap<>(files);
    } catch (UnsupportedOperationException generatedOnDemand) {
      return files;
    }
  }

  interface Step {
    void run() throws IOException;
  }

  /**
   * "ok" or the IOException's class, and the milliseconds the step took; anything else
   * propagates to {@link #exercise}.
   */
  static String attempt(Step s) throws IOException {
    long start = System.nanoTime();
    long cpu = java.lang.management.ManagementFactory.getThreadMXBean()
        .getCurrentThreadCpuTime();
    String what;
    try {
      s.run();
      what = "ok";
    } catch (IOException e) {
      what = e.getClass().getSimpleName();
      if (Boolean.getBoolean("bounds.verbose")) {
        what += " [" + e.getMessage() + "]";
      }
    }
    long cpuMs = (java.lang.management.ManagementFactory.getThreadMXBean()
        .getCurrentThreadCpuTime() - cpu) / 1_000_000;
    return what + " (" + (System.nanoTime() - start) / 1_000_000 + " ms, cpu " + cpuMs + " ms)";
  }

  /** The longest wall-clock time of one step in an outcome line of {@link #exercise}. */
  static long slowestStep(String outcome) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\((\\d+) ms, cpu")
        .matcher(outcome);
    long most = 0;
    while (m.find()) {
      most = Math.max(most, Long.parseLong(m.group(1)));
    }
    return most;
  }

  static void readSome(VirtualDisk disk) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(65536);
    long size = disk.size();
    for (long pos = 0; pos < Math.min(size, 4L << 20); pos += b.capacity()) {
      disk.read(b.clear(), pos);
    }
    if (size > 0) {
      disk.read(b.clear(), Math.max(0, size - b.capacity()));
    }
  }
}
