package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The external tools the tests take as oracles (dosfstools, mtools, qemu-img): found on the PATH
 * or in the sbin directories, run with a timeout in the C locale.
 */
final class Tools {
  private Tools() {}

  record Result(int exit, byte[] out, String err) {
    String text() {
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  /** Null when the tool is missing, or when -Dqcow2nio.noTools is set (to try the tool-less run). */
  static Path find(String tool) {
    if (System.getProperty("qcow2nio.noTools") != null) {
      return null;
    }
    List<String> dirs = new ArrayList<>(Arrays.asList(
        System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/local/sbin"));
    for (String d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Skips the calling test when any of {@code tools} is missing. */
  static void assume(String... tools) {
    for (String t : tools) {
      assumeTrue(find(t) != null, t + " is not installed");
    }
  }

  static Result run(String... cmd) throws IOException {
    return runIn("C", cmd);
  }

  /** Runs in {@code locale} (mtools converts long names to the locale's character set). */
  static Result runIn(String locale, String... cmd) throws IOException {
    List<String> argv = new ArrayList<>(Arrays.asList(cmd));
    Path exe = find(cmd[0]);
    if (exe != null) {
      argv.set(0, exe.toString());
    }
    ProcessBuilder pb = new ProcessBuilder(argv);
    Map<String, String> env = pb.environment();
    env.put("LC_ALL", locale);
    env.put("MTOOLS_SKIP_CHECK", "1");
    env.put("MTOOLSRC", "/dev/null");
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p = pb.start();
    CompletableFuture<byte[]> out = drain(p.getInputStream());
    CompletableFuture<byte[]> err = drain(p.getErrorStream());
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + argv);
      }
      return new Result(p.exitValue(), out.get(),
          new String(err.get(), StandardCharsets.UTF_8));
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException("running " + argv + ": " + e, e);
    }
  }

  private static CompletableFuture<byte[]> drain(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return in.readAllBytes();
      } catch (IOException e) {
        return new byte[0];
      }
    });
  }

  /** Runs and insists on exit 0. */
  static Result ok(String... cmd) throws IOException {
    Result r = run(cmd);
    assertEquals(0, r.exit(), () -> String.join(" ", cmd) + " failed: " + r.err() + r.text());
    return r;
  }

  /** Every path mtools lists, recursively ("dir/" for directories), without "::". */
  static TreeSet<String> mdirPaths(Path img) throws IOException {
    TreeSet<String> out = new TreeSet<>();
    for (String line : ok("mdir", "-/", "-a", "-b", "-i", img.toString(), "::/").text()
        .split("\n")) {
      if (line.startsWith("::")) {
        out.add(line.substring(2));
      }
    }
    return out;
  }

  static byte[] mtype(Path img, String path) throws IOException {
    return ok("mtype", "-i", img.toString(), "::" + path).out();
  }

  /** fsck.fat -n: exit 0 and nothing reported beyond its banner and summary line. */
  static void assertFsckClean(Path img) throws IOException {
    Result r = run("fsck.fat", "-n", img.toString());
    String all = r.text() + r.err();
    List<String> lines = new ArrayList<>();
    for (String l : all.split("\n")) {
      if (!l.isBlank() && !l.startsWith("fsck.fat ") && !l.matches(".*: \\d+ files, \\d+/\\d+ clusters")) {
        lines.add(l);
      }
    }
    assertEquals(0, r.exit(), "fsck.fat -n exit; said:\n" + all);
    assertEquals(List.of(), lines, "fsck.fat -n said:\n" + all);
  }
}
