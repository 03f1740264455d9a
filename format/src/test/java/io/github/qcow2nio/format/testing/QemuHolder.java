package io.github.qcow2nio.format.testing;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * the process. {@link #start} returns once qemu-io's open is complete, locks and all.
 */
public final class QemuHolder implements Closeable {
  private static final Pattern LOCK_FAILURE =
      Pattern.compile("Failed to get (shared )?\"[a-z ]+\" lock|Failed to lock byte \\d+");

  private final Process process;

  private QemuHolder(Process process) {
    this.process = process;
  }

  /**
   * Runs {@code qemu-io [flags] -f format -c 'read 0 512' -c 'sleep 60000' image} and returns once
   * the read was printed: qemu-io runs its commands only after the whole open (backing and data
   * files included) is done, locks and all. {@code flags}: "-r" read-only, "-U" force-share.
   * {@code alsoLocked} (backing and data files) are checked to carry QEMU's locks too.
   */
  public static QemuHolder start(Path image, String format, List<String> flags,
      Path... alsoLocked) throws IOException {
    // stdbuf: qemu-io's stdout is a pipe here, which C's stdio would only flush at exit.
    List<String> cmd = new ArrayList<>(List.of("timeout", "90", "stdbuf", "-oL", "qemu-io"));
    cmd.addAll(flags);
    cmd.addAll(List.of("-f", format, "-c", "read 0 512", "-c", "sleep 60000", image.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("LC_ALL", "C");
    QemuHolder h = new QemuHolder(pb.start());
    boolean ok = false;
    try {
      h.awaitOpen(image, alsoLocked);
      ok = true;
      return h;
    } finally {
      if (!ok) {
        h.close();
      }
    }
  }

  private void awaitOpen(Path image, Path... others) throws IOException {
    BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    // Bounded: timeout(1) ends qemu-io, and with it this stream, after 90 s at most.
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      seen.append(line).append('\n');
      if (line.startsWith("read 512/512 bytes")) {
        List<Path> files = new ArrayList<>(List.of(image));
        files.addAll(Arrays.asList(others));
        for (Path f : files) {
          SortedSet<Integer> b = ProcLocks.ofd(f);
          if (!b.contains(100)) { // every qemu-io open holds consistent read
            throw new IOException("qemu-io opened " + image + " without locking " + f + ": " + b);
          }
        }
        return;
      }
    }
    throw new IOException("qemu-io ended before holding " + image + ": " + seen);
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
}
