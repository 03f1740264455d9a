package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.struct.ClusterType;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qcow2 rebase} against {@code qemu-img rebase}: overlays on chains of one and two images
 * made alike by qemu-img and qemu-io, rebased by both tools with the same arguments (safe, unsafe,
 * flattening with {@code -b ""}, onto a raw file, into a subdirectory, refused): the same output
 * and exit status; a safe rebase leaves the overlay reading as before and as qemu-img's, allocated
 * where qemu-img's is, with the same backing file in its header, and {@code qemu-img check}
 * clean; an unsafe one leaves the very bytes qemu-img leaves. {@code -c}, which qemu-img 7.2 does
 * not have, is compared with qemu-img's uncompressed rebase.
 */
@Tag("qemu")
class RebaseAgainstQemuTest {
  private static final String[] OPTIONS = {"", "compat=0.10", "cluster_size=4k",
      "cluster_size=512", "extended_l2=on", "compression_type=zstd",
      "cluster_size=2M,refcount_bits=1"};

  private static final String[][] ARGS = {
      {"-b", "new.qcow2", "-F", "qcow2"},
      {"-u", "-b", "new.qcow2", "-F", "qcow2"},
      {"-b", ""},
      {"-u", "-b", ""},
      {"-b", "new.qcow2"},
      {"-q", "-b", "new.raw", "-F", "raw"},
      {"-b", "old.qcow2", "-F", "qcow2"},
      {"-b", "sub/new2.qcow2", "-F", "qcow2", "-t", "none", "-T", "writeback", "-U"},
  };

  @TempDir Path dir;

  /**
   * Every argument over the default layout, with and without a middle image; over each other
   * layout a flattening and a safe rebase from a middle image onto a new file.
   * {@link #everyLayoutWithEveryArgument} (soak) runs them all.
   */
  @Test
  void overlaysRebaseAsQemuImgRebasesThem() throws IOException {
    Qemu.assumeAvailable();
    assertAll(cases(false));
  }

  @Test
  @Tag("soak")
  void everyLayoutWithEveryArgument() throws IOException {
    Qemu.assumeAvailable();
    assertAll(cases(true));
  }

  private List<Executable> cases(boolean all) {
    List<Executable> checks = new ArrayList<>();
    int n = 0;
    for (String options : OPTIONS) {
      for (boolean mid : new boolean[] {false, true}) {
        for (String[] args : ARGS) {
          boolean wanted = options.isEmpty() || all || (mid ? args == ARGS[0] : args == ARGS[2]);
          if (!wanted) {
            continue;
          }
          Path sub = dir.resolve("case" + n++);
          checks.add(() -> rebaseBoth(sub, options, mid, new long[] {4096, 4096, 4096}, args,
              false));
        }
      }
    }
    return checks;
  }

  @Test
  void overlaysLargerAndSmallerThanTheirBackingFiles() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    // Sizes in KiB: old, new, overlay.
    long[][] sizes = {{4096, 4096, 8192}, {4096, 4096, 2048}, {4096, 2048, 4096},
        {2048, 8192, 4096}};
    int n = 0;
    for (long[] s : sizes) {
      Path sub = dir.resolve("size" + n++);
      checks.add(() -> rebaseBoth(sub, "", false, s, ARGS[0], false));
    }
    // Flattening a larger overlay, and an unsafe rebase of a smaller one.
    checks.add(() -> rebaseBoth(dir.resolve("size-flat"), "", false,
        new long[] {4096, 4096, 8192}, ARGS[2], false));
    checks.add(() -> rebaseBoth(dir.resolve("size-unsafe"), "", false,
        new long[] {4096, 4096, 2048}, ARGS[1], false));
    assertAll(checks);
  }

  @Test
  void compressedRebaseReadsAsQemuImgsRebase() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    int n = 0;
    for (String options : new String[] {"", "compression_type=zstd", "compat=0.10"}) {
      for (String[] args : new String[][] {options.isEmpty() ? ARGS[2] : ARGS[0]}) {
        Path sub = dir.resolve("c" + n++);
        checks.add(() -> rebaseBoth(sub, options, true, new long[] {4096, 4096, 4096}, args,
            true));
      }
    }
    assertAll(checks);
  }

  private static void rebaseBoth(Path sub, String options, boolean mid, long[] kib,
      String[] args, boolean compress) throws IOException {
    QemuParity p = new QemuParity(sub);
    Files.createDirectories(p.qemuDir.resolve("sub"));
    Files.createDirectories(p.toolDir.resolve("sub"));
    p.both(create(options, "DIR/old.qcow2", null, kib[0]));
    p.io("old.qcow2", fit(kib[0], "write -P 1 0 1024k", "write -P 2 2048k 64k",
        "write -P 6 3968k 128k", "write -P 6 6000k 64k"));
    p.both(create(options, "DIR/new.qcow2", null, kib[1]));
    p.io("new.qcow2", fit(kib[1], "write -P 1 0 512k", "write -P 5 3072k 64k",
        "write -P 1 1024k 4k", "write -P 2 2048k 32k", "write -P 6 6016k 4k"));
    p.both("convert", "-O", "raw", "DIR/new.qcow2", "DIR/new.raw");
    p.both("convert", "-O", "qcow2", "DIR/new.qcow2", "DIR/sub/new2.qcow2");
    String below = "old.qcow2";
    if (mid) {
      p.both(create(options, "DIR/mid.qcow2", "old.qcow2", kib[0]));
      p.io("mid.qcow2", fit(kib[0], "write -P 3 1536k 64k", "write -z 2048k 4k",
          "write -P 3 3000k 1k"));
      below = "mid.qcow2";
    }
    p.both(create(options, "DIR/ov.qcow2", below, kib[2]));
    p.io("ov.qcow2", fit(kib[2], "write -P 9 0 64k", "write -P 1 520k 512",
        "write -z 2080k 4k", "write -P 9 5000k 8k"));
    p.both("convert", "-O", "raw", "DIR/ov.qcow2", "DIR/before.raw");

    List<String> line = new ArrayList<>(List.of("rebase"));
    line.addAll(List.of(args));
    line.add("IMG");
    String what = options + (mid ? ", over mid" : "") + ", " + kib[0] + "/" + kib[1] + "/"
        + kib[2] + "k, " + String.join(" ", line) + (compress ? " (-c)" : "");
    boolean unsafe = line.contains("-u");
    if (compress) {
      Qemu.Result q = Qemu.run(qemu(p, line), p.qemuDir);
      List<String> t = new ArrayList<>(line);
      t.add(1, "-c");
      ToolRun run = ToolRun.of(tool(p, t));
      assertEquals(q.exitCode(), run.status(), what + run.err());
      assertEquals(q.stdout(), run.out(), what);
      assertTrue(compressedClusters(p.toolDir.resolve("ov.qcow2")) > 0,
          what + ": copied clusters are compressed");
    } else {
      p.compare("ov.qcow2", line.toArray(String[]::new));
    }
    Path ours = p.toolDir.resolve("ov.qcow2");
    Path theirs = p.qemuDir.resolve("ov.qcow2");
    if (unsafe) {
      p.sameFile("ov.qcow2", what);
      return;
    }
    assertEquals(0, QemuJudge.compare(p.toolDir.resolve("before.raw"), ours).exitCode(),
        what + ": the guest reads as before");
    assertEquals(0, QemuJudge.compare(theirs, ours).exitCode(), what + ": reads as qemu-img's");
    QemuImg.Check c = QemuImg.check(ours);
    assertEquals(0, c.exitCode(), what + "\n" + c.output());
    assertEquals(0, c.leaks(), what + "\n" + c.output());
    com.fasterxml.jackson.databind.JsonNode qemuInfo = QemuImg.info(theirs);
    com.fasterxml.jackson.databind.JsonNode ourInfo = QemuImg.info(ours);
    assertEquals(qemuInfo.path("backing-filename").asText(""),
        ourInfo.path("backing-filename").asText(""), what + ": backing file");
    assertEquals(qemuInfo.path("backing-filename-format").asText(""),
        ourInfo.path("backing-filename-format").asText(""), what + ": its format");
    if (!compress) {
      assertEquals(CommitAgainstQemuTest.allocation(theirs),
          CommitAgainstQemuTest.allocation(ours), what + ": allocated where qemu-img's is");
    }
  }

  private static String[] create(String options, String image, String backing, long kib) {
    List<String> c = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
    String o = options;
    if (backing != null) {
      o = (o.isEmpty() ? "" : o + ",") + "backing_file=" + backing + ",backing_fmt=qcow2";
    }
    if (!o.isEmpty()) {
      c.add("-o");
      c.add(o);
    }
    c.add(image);
    c.add(kib + "k");
    return c.toArray(String[]::new);
  }

  /** The qemu-io writes that lie inside a disk of {@code kib} KiB. */
  private static String[] fit(long kib, String... writes) {
    List<String> out = new ArrayList<>();
    for (String w : writes) {
      String[] t = w.split(" ");
      long off = kibOf(t[t.length - 2]);
      long len = kibOf(t[t.length - 1]);
      if (off + len <= kib * 1024) {
        out.add(w);
      }
    }
    return out.toArray(String[]::new);
  }

  private static long kibOf(String s) {
    return s.endsWith("k") ? Long.parseLong(s.substring(0, s.length() - 1)) * 1024
        : Long.parseLong(s);
  }

  private static List<String> qemu(QemuParity p, List<String> line) {
    List<String> q = new ArrayList<>(List.of("qemu-img"));
    for (String a : line) {
      q.add(a.replace("IMG", p.qemuDir.resolve("ov.qcow2").toString()));
    }
    return q;
  }

  private static String[] tool(QemuParity p, List<String> line) {
    return line.stream().map(a -> a.replace("IMG", p.toolDir.resolve("ov.qcow2").toString()))
        .toArray(String[]::new);
  }

  /** How many clusters of the overlay's own layer are stored compressed. */
  private static int compressedClusters(Path image) throws IOException {
    int n = 0;
    try (Qcow2Image img = Qcow2Image.open(image)) {
      VirtualDisk d = img.disk();
      long at = 0;
      while (at < d.size()) {
        Extent e = d.blockStatus(at, d.size() - at);
        if (e.type() == ClusterType.COMPRESSED) {
          n++;
        }
        at = e.end();
      }
    }
    return n;
  }

  private static final String[][] MISTAKES = {
      {"rebase", "IMG"},
      {"rebase", "-b", "new.qcow2", "-F", "qcow2", "IMG", "IMG"},
      {"rebase", "-b", "new.qcow2", "-F", "qcow2"},
      {"rebase", "-b", "missing.qcow2", "-F", "qcow2", "IMG"},
      {"rebase", "-b", "missing.qcow2", "IMG"},
      {"rebase", "-u", "-b", "missing.qcow2", "-F", "qcow2", "IMG"},
      {"rebase", "-u", "-b", "missing.qcow2", "IMG"},
      {"rebase", "-u", "IMG"},
      {"rebase", "-b", "new.qcow2", "-F", "bogus", "IMG"},
      {"rebase", "-t", "bogus", "-b", "new.qcow2", "-F", "qcow2", "IMG"},
      {"rebase", "-T", "bogus", "-b", "new.qcow2", "-F", "qcow2", "IMG"},
      {"rebase", "-b", "new.qcow2", "-F", "qcow2", "IMG.missing"},
      {"rebase", "-f", "raw", "-b", "new.qcow2", "-F", "qcow2", "IMG"},
  };

  @Test
  void mistakesAsQemuImg() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    int n = 0;
    for (String[] args : MISTAKES) {
      Path sub = dir.resolve("mistake" + n++);
      checks.add(() -> {
        QemuParity p = new QemuParity(sub);
        p.both("create", "-q", "-f", "qcow2", "DIR/old.qcow2", "1M");
        p.both("create", "-q", "-f", "qcow2", "DIR/new.qcow2", "1M");
        p.both("create", "-q", "-f", "qcow2", "-b", "old.qcow2", "-F", "qcow2",
            "DIR/ov.qcow2");
        p.io("old.qcow2", "write -P 9 0 64k");
        p.compare("ov.qcow2", args);
        p.sameFile("ov.qcow2", String.join(" ", args));
      });
    }
    assertAll(checks);
  }
}
