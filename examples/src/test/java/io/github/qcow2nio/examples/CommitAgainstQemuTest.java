package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * {@code qcow2 commit} against {@code qemu-img commit}: chains of two and three images made alike
 * by qemu-img and qemu-io (data, zero clusters over deeper data, partial clusters), over the
 * creation options that change how clusters are stored, committed by both tools with the same
 * arguments: the same output and exit status, every layer reading the same as qemu-img's (so a
 * zero cluster stays zeros in the base), the same allocation in every layer, the layers qemu-img
 * leaves alone byte for byte the same, and {@code qemu-img check} clean on everything written.
 */
@Tag("qemu")
class CommitAgainstQemuTest {
  private static final String[] LAYERS = {"base.qcow2", "mid.qcow2", "top.qcow2"};
  private static final String[] OPTIONS = {"", "compat=0.10", "cluster_size=4k",
      "cluster_size=512", "extended_l2=on", "compression_type=zstd",
      "cluster_size=2M,refcount_bits=1", "compat=0.10,cluster_size=4k"};
  private static final String[][] ARGS = {{}, {"-d"}, {"-b", "base.qcow2"}, {"-q"},
      {"-t", "none", "-r", "1M", "-f", "qcow2"}};

  @TempDir Path dir;

  /** The writes into each layer (base first), as {command, offset, length} in KiB. */
  private static final String[][][] WRITES = {
      {{"-P 1", "0", "1024"}, {"-P 2", "2048", "1024"}, {"-P 6", "3968", "128"}},
      {{"-P 3", "512", "1024"}, {"-z", "2112", "64"}, {"-P 7", "3072", "4"}},
      {{"-z", "0", "64"}, {"-P 4", "3072", "64"}, {"-P 5", "100", "3"}, {"-z", "2176", "4"},
          {"-P 8", "5000", "64"}},
  };

  /**
   * Every argument over the default layout; over each other layout a commit into a middle image
   * and a commit into a base without a backing file ({@code -b}), the two ways zeros and data are
   * stored. {@link #everyLayoutWithEveryArgument} (soak) runs them all.
   */
  @Test
  void chainsCommitAsQemuImgCommitsThem() throws IOException {
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
      for (int layers = 2; layers <= 3; layers++) {
        for (String[] args : ARGS) {
          boolean wanted = options.isEmpty() || all
              || (layers == 3 ? args.length == 0 : args.length > 0 && args[0].equals("-b"));
          if (!wanted) {
            continue;
          }
          int chain = layers;
          Path sub = dir.resolve("case" + n++);
          checks.add(() -> commitBoth(sub, options, chain, new long[] {4096, 4096, 4096},
              args, List.of()));
        }
      }
    }
    return checks;
  }

  @Test
  void overlaysLargerAndSmallerThanTheirBase() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    long[][] sizes = {{4096, 8192}, {4096, 2048}, {4096, 4096, 8192}, {2048, 4096, 8192},
        {8192, 2048, 4096}, {4096, 6144, 2048}};
    int n = 0;
    for (long[] s : sizes) {
      // Into the backing file for two layers, into the base (-b) for three.
      String[] args = s.length == 2 ? new String[0] : new String[] {"-b", "base.qcow2"};
      Path sub = dir.resolve("size" + n++);
      checks.add(() -> commitBoth(sub, "", s.length, s, args, List.of()));
    }
    assertAll(checks);
  }

  /**
   * What becomes of the emptied overlay itself: qemu-img rewrites a plain v3 overlay as new
   * (header, refcount table, one refcount block and the L1 table, the file cut after them), and
   * only discards in one with snapshots, persistent bitmaps or an external data file (the L2
   * tables and the file's length stay). Over those, the overlay's bytes, length and qemu-img
   * check's image end must be qemu-img's.
   */
  @Test
  void emptiedOverlaysEndAsQemuImgLeavesThem() throws IOException {
    Qemu.assumeAvailable();
    String[] snapshot = {"snapshot", "-c", "s1", "DIR/top.qcow2"};
    String[] bitmap = {"bitmap", "--add", "DIR/top.qcow2", "b1"};
    String[] more = {"io", "write -P 0x66 1024k 64k", "write -z 3M 4k"};
    Object[][] cases = {
        {"", List.of(snapshot, more)},
        {"cluster_size=4k", List.of(snapshot, more)},
        {"", List.of(bitmap, more)},
        {"cluster_size=512,refcount_bits=64", List.of(bitmap, more)},
        {"lazy_refcounts=on", List.of()},
        {"refcount_bits=1,cluster_size=4k", List.of()},
        {"extended_l2=on,cluster_size=16k", List.<String[]>of(snapshot)},
        {"extended_l2=on,cluster_size=16k", List.of()},
        {"top:data_file=DIR/top.data", List.of()},
        // The L1 table grows and moves past the refcount block: qemu-img rewrites it back to
        // cluster 3, this library leaves it where it is (the file is cut after it).
        {"", List.<String[]>of(new String[] {"resize", "DIR/top.qcow2", "64G"})},
    };
    List<Executable> checks = new ArrayList<>();
    int n = 0;
    for (Object[] c : cases) {
      Path sub = dir.resolve("end" + n++);
      @SuppressWarnings("unchecked")
      List<String[]> setup = (List<String[]>) c[1];
      checks.add(() -> commitBoth(sub, (String) c[0], 2, new long[] {4096, 4096}, new String[0],
          setup));
    }
    assertAll(checks);
  }

  /**
   * Builds the chain on both sides (the {@code setup} qemu-img commands, or "io" and qemu-io
   * commands, run on both after the top's writes; options starting "top:" only for the top),
   * commits it with both tools, compares what is left.
   */
  private static void commitBoth(Path sub, String options, int layers, long[] sizesKib,
      String[] args, List<String[]> setup) throws IOException {
    QemuParity p = new QemuParity(sub);
    List<String> names = chainNames(layers);
    for (int i = 0; i < layers; i++) {
      List<String> create = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
      String o = options.startsWith("top:")
          ? (i == layers - 1 ? options.substring(4) : "") : options;
      if (i > 0) {
        o = (o.isEmpty() ? "" : o + ",") + "backing_file=" + names.get(i - 1)
            + ",backing_fmt=qcow2";
      }
      if (!o.isEmpty()) {
        create.add("-o");
        create.add(o);
      }
      create.add("DIR/" + names.get(i));
      create.add(sizesKib[i] + "k");
      p.both(create.toArray(String[]::new));
      String[][] writes = WRITES[i == layers - 1 ? 2 : i];
      List<String> io = new ArrayList<>();
      for (String[] w : writes) {
        long off = Long.parseLong(w[1]);
        long len = Long.parseLong(w[2]);
        if (off + len <= sizesKib[i]) {
          io.add("write " + w[0] + " " + off + "k " + len + "k");
        }
      }
      p.io(names.get(i), io.toArray(String[]::new));
    }
    for (String[] step : setup) {
      if (step[0].equals("io")) {
        p.io(names.get(layers - 1), java.util.Arrays.copyOfRange(step, 1, step.length));
      } else {
        p.both(step);
      }
    }
    String top = names.get(layers - 1);
    List<String> line = new ArrayList<>(List.of("commit"));
    line.addAll(List.of(args));
    line.add("IMG");
    String what = options + ", " + layers + " layers, " + String.join(" ", line);
    List<QemuImg.MapEntry> topBefore = allocation(p.toolDir.resolve(top));
    // Snapshots hold the time they were taken and data files their absolute names: bytes are
    // compared only where both sides were the same bytes before.
    boolean sameBefore = Files.mismatch(p.qemuDir.resolve(top), p.toolDir.resolve(top)) == -1;
    long lengthBefore = Files.size(p.toolDir.resolve(top));
    boolean bitmaps = setup.stream().anyMatch(s -> s[0].equals("bitmap"));
    boolean moved = setup.stream().anyMatch(s -> s[0].equals("resize"));
    p.compare(top, line.toArray(String[]::new));
    boolean deep = List.of(args).contains("-b");
    boolean keepTop = deep || List.of(args).contains("-d");
    int target = deep ? 0 : layers - 2;
    for (int i = 0; i < layers; i++) {
      String name = names.get(i);
      if (i != target && (i != layers - 1 || keepTop)) {
        // qemu-img leaves these files alone: so must we, to the byte.
        p.sameFile(name, what);
        continue;
      }
      Path ours = p.toolDir.resolve(name);
      Path theirs = p.qemuDir.resolve(name);
      assertEquals(0, QemuJudge.compare(theirs, ours).exitCode(),
          what + ": " + name + " reads as qemu-img's");
      QemuImg.Check c = QemuImg.check(ours);
      assertEquals(0, c.exitCode(), what + ": " + name + "\n" + c.output());
      assertEquals(0, c.leaks(), what + ": " + name + "\n" + c.output());
      assertEquals(allocation(theirs), allocation(ours), what + ": " + name + " allocation");
      if (i == layers - 1) {
        // The emptied overlay: where qemu-img's check says it ends, how long the file is,
        // and (qemu-img and this library lay a new image out alike) every byte.
        QemuImg.Check q = QemuImg.check(theirs);
        assertEquals(q.allocatedClusters(), c.allocatedClusters(), what + ": " + name);
        if (moved) {
          // Ours keeps the moved L1 table where it is: the file ends inside the last cluster
          // in use (the table, written at the file's end, fills only part of its cluster),
          // and qemu-img's, laid out anew, right after its L1 table in cluster 3.
          long cluster = QemuImg.info(ours).path("cluster-size").asLong();
          assertTrue(Files.size(ours) <= c.imageEndOffset()
              && Files.size(ours) > c.imageEndOffset() - cluster, what + ": " + name
              + " length " + Files.size(ours) + ", image end " + c.imageEndOffset());
          assertEquals(q.imageEndOffset(), Files.size(theirs), what + ": " + name);
          assertTrue(Files.size(ours) > Files.size(theirs), what + ": " + name);
          continue;
        }
        if (bitmaps) {
          // The bitmaps are written back as the overlay closes, after the discard, each tool
          // into clusters of its own choosing: this library's file ends no later than
          // qemu-img's (seen: shorter). Counted alike (above), and check clean.
          assertTrue(Files.size(ours) <= Files.size(theirs), what + ": " + name + " length");
          continue;
        }
        assertEquals(Files.size(theirs), Files.size(ours), what + ": " + name + " length");
        assertEquals(q.imageEndOffset(), c.imageEndOffset(), what + ": " + name + " end");
        if (sameBefore && Files.size(theirs) < lengthBefore) {
          // Rewritten as new and cut: every byte. (Where qemu-img only discards, it discards
          // the freed clusters in the host file too, so they read as zeros; this library
          // cannot punch holes with the JDK and leaves their old bytes, unreferenced.)
          p.sameFile(name, what);
        }
      }
    }
  }

  private static List<String> chainNames(int layers) {
    return layers == 2 ? List.of(LAYERS[0], LAYERS[2]) : List.of(LAYERS);
  }

  /**
   * {@code qemu-img map}, host offsets left out and neighbours of one kind joined (where the
   * clusters lie in the file is each writer's own): where each layer allocates what.
   */
  static List<QemuImg.MapEntry> allocation(Path image) throws IOException {
    List<QemuImg.MapEntry> out = new ArrayList<>();
    for (QemuImg.MapEntry e : QemuImg.map(image)) {
      QemuImg.MapEntry last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && last.depth() == e.depth() && last.present() == e.present()
          && last.zero() == e.zero() && last.data() == e.data()
          && last.start() + last.length() == e.start()) {
        out.set(out.size() - 1, new QemuImg.MapEntry(last.start(),
            last.length() + e.length(), last.depth(), last.present(), last.zero(), last.data(),
            -1));
      } else {
        out.add(new QemuImg.MapEntry(e.start(), e.length(), e.depth(), e.present(), e.zero(),
            e.data(), -1));
      }
    }
    return out;
  }

  private static final String[][] MISTAKES = {
      {"commit", "IMG", "IMG"},
      {"commit"},
      {"commit", "-b", "nowhere.qcow2", "IMG"},
      {"commit", "-b", "top.qcow2", "IMG"},
      {"commit", "-t", "bogus", "IMG"},
      {"commit", "-r", "x", "IMG"},
      {"commit", "-r", "-5", "IMG"},
      {"commit", "-f", "raw", "IMG"},
      {"commit", "IMG.missing"},
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
        p.both("create", "-q", "-f", "qcow2", "DIR/base.qcow2", "1M");
        p.both("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2",
            "DIR/top.qcow2");
        p.io("top.qcow2", "write -P 9 0 64k");
        p.compare("top.qcow2", args);
        p.sameFile("top.qcow2", String.join(" ", args));
        p.sameFile("base.qcow2", String.join(" ", args));
      });
    }
    // An image without a backing file.
    checks.add(() -> {
      QemuParity p = new QemuParity(dir.resolve("alone"));
      p.both("create", "-q", "-f", "qcow2", "DIR/a.qcow2", "1M");
      p.compare("a.qcow2", "commit", "IMG");
    });
    assertAll(checks);
  }
}
