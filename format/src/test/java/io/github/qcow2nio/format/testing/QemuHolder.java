package io.github.qcow2nio.format.testing;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A qemu-io process holding an image open, as a VM would, for at most a minute; closing it kills
 * the process. {@link #start} returns once QEMU's locks on every file named are in place.
 */
public final class QemuHolder implements Closeable {
  private static final Pattern LOCK_FAILURE =
      Pattern.compile("Failed to (get (shared )?\"[a-z ]+\"|lock byte \\d+) lock|Failed to lock "
          + "byte \\d+");

  private final Process process;

  private QemuHolder(Process process) {
    this.process = process;
  }

  /**
   * Runs {@code qemu-io [flags] -f format -c 'sleep 60000' image} and waits until {@code image}
   * and each of {@code alsoLocked} (backing and data files) carry its locks, unchanged over a few
   * polls (QEMU takes them one by one). {@code flags}: "-r" read-only, "-U" force-share.
   */
  public static QemuHolder start(Path image, String format, List<String> flags,
      Path... alsoLocked) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("timeout", "90", "qemu-io"));
    cmd.addAll(flags);
    cmd.addAll(List.of("-f", format, "-c", "sleep 60000", image.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C");
    QemuHolder h = new QemuHolder(pb.start());
    boolean ok = false;
    try {
      h.awaitLocks(image, alsoLocked);
      ok = true;
      return h;
    } finally {
      if (!ok) {
        h.close();
      }
    }
  }

  private void awaitLocks(Path image, Path... others) throws IOException {
    List<Path> files = new ArrayList<>(List.of(image));
    files.addAll(Arrays.asList(others));
    String last = null;
    int stable = 0;
    for (int i = 0; i < 400; i++) { // at most 20 s
      if (!process.isAlive()) {
        throw new IOException("qemu-io ended before holding " + image + ": "
            + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
      StringBuilder now = new StringBuilder();
      boolean all = true;
      for (Path f : files) {
        SortedSet<Integer> b = ProcLocks.ofd(f);
        all &= b.contains(100); // every qemu-io open holds consistent read
        now.append(b);
      }
      stable = all && now.toString().equals(last) ? stable + 1 : 0;
      if (stable >= 3) {
        return;
      }
      last = now.toString();
      sleep(50);
    }
    throw new IOException("qemu-io did not lock " + files + " within 20 s");
  }

  @Override
  public void close() {
    // qemu-io runs under timeout(1): kill both, and wait until qemu-io (whose exit drops its
    // locks) is gone, not just its parent.
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroyForcibly);
    try {
      for (ProcessHandle h : all) {
        h.onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("qemu-io did not end", e);
    }
  }

  /**
   * What an open attempt came to, in QEMU's terms: "ok", QEMU's lock failure ("Failed to get
   * shared \"write\" lock") when the text also asks "Is another process using the image [NAME]?"
   * for {@code file}, or "other failure: " and the text.
   */
  public static String outcome(boolean succeeded, String text, Path file) {
    if (succeeded) {
      return "ok";
    }
    Matcher m = LOCK_FAILURE.matcher(text);
    if (m.find() && text.contains("Is another process using the image [" + file + "]?")) {
      return m.group();
    }
    return "other failure: " + text;
  }

  /** What {@code qemu-img}/{@code qemu-io} {@code command} came to; {@code file} for its [NAME]. */
  public static String outcome(Path file, String... command) throws IOException {
    Qemu.Result r = Qemu.run(List.of(command));
    return outcome(r.exitCode() == 0, r.stdout() + r.stderr(), file);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
