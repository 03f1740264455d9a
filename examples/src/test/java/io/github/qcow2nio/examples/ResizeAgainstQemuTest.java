package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * {@code qcow2 resize} against {@code qemu-img resize}: on images made alike (by qemu-img, with
 * data written by qemu-io), the same arguments print the same and leave the same bytes.
 */
@Tag("qemu")
class ResizeAgainstQemuTest {
  @TempDir Path dir;

  /** Each: how the image is made (create's options and size), then resize's arguments. */
  private static final String[][][] CASES = {
      {{"1M"}, {"IMG", "2M"}},
      {{"1M"}, {"IMG", "+1M"}},
      {{"1M"}, {"-q", "IMG", "4M"}},
      {{"1M"}, {"IMG", "+0"}},
      {{"1M"}, {"IMG", "1M"}},
      {{"1M"}, {"--preallocation=off", "IMG", "3M"}},
      {{"1M"}, {"IMG", "10G"}},
      {{"1M"}, {"-f", "qcow2", "IMG", "1.5G"}},
      {{"1M"}, {"--image-opts", "driver=qcow2,file.filename=IMG", "5M"}},
      {{"4M"}, {"--shrink", "IMG", "-1M"}},
      {{"4M"}, {"IMG", "--shrink", "--", "-1M"}},
      {{"4M"}, {"--shrink", "IMG", "512k"}},
      {{"-o", "cluster_size=512", "1M"}, {"IMG", "300M"}},
      {{"-o", "cluster_size=4k,refcount_bits=1", "1M"}, {"IMG", "200M"}},
      {{"-o", "compat=0.10", "2M"}, {"IMG", "+3M"}},
      {{"-o", "extended_l2=on", "2M"}, {"--shrink", "IMG", "1M"}},
      {{"-o", "lazy_refcounts=on", "2M"}, {"IMG", "7M"}},
      // refused
      {{"4M"}, {"IMG", "-1M"}},
      {{"4M"}, {"IMG", "1M"}},
      {{"4M"}, {"IMG", "--", "-1M"}},
      {{"4M"}, {"-q", "IMG", "1M"}},
      {{"4M"}, {"--shrink", "IMG", "-10M"}},
      {{"4M"}, {"--shrink", "IMG", "0"}},
      {{"4M"}, {"IMG", "+9E"}},
      {{"4M"}, {"IMG", "+100"}},
      {{"4M"}, {"IMG", "5000000"}},
      {{"4M"}, {"IMG", "1x"}},
      {{"4M"}, {"--preallocation=bogus", "IMG", "8M"}},
      {{"4M"}, {"-p", "IMG", "5M"}},
      {{"4M"}, {"-U", "IMG", "5M"}},
      {{"4M"}, {"--output=json", "IMG", "5M"}},
      {{"4M"}, {"IMG"}},
      {{"4M"}, {}},
      {{"4M"}, {"IMG", "3M", "x"}},
      {{"4M"}, {"--shrink", "IMG", "--shrink"}},
      {{"4M"}, {"-f", "qcow2", "--image-opts", "driver=qcow2,file.filename=IMG", "5M"}},
  };

  @Test
  void qcow2ImagesResizeAsQemuImgResizesThem() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    int n = 0;
    for (String[][] c : CASES) {
      Path sub = dir.resolve("case" + n++);
      checks.add(() -> {
        QemuParity p = new QemuParity(sub);
        List<String> create = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
        create.addAll(List.of(c[0]).subList(0, c[0].length - 1));
        create.add("DIR/a.qcow2");
        create.add(c[0][c[0].length - 1]);
        p.both(create.toArray(String[]::new));
        // Data at the start, in the middle and near the end, to be kept or cut off.
        long size = QemuSize.parse(c[0][c[0].length - 1]).bytes().longValueExact();
        p.io("a.qcow2", "write -P 0x5a 0 64k", "write -P 0xa5 " + size / 2 + " 64k",
            "write -P 0x33 " + (size - 4096) + " 4k");
        List<String> args = new ArrayList<>(List.of("resize"));
        args.addAll(List.of(c[1]));
        String what = String.join(" ", args);
        p.compare("a.qcow2", args.toArray(String[]::new));
        p.sameFile("a.qcow2", what);
        assertEquals(0, QemuImg.check(p.toolDir.resolve("a.qcow2")).exitCode(), what);
      });
    }
    assertAll(checks);
  }

  @Test
  void imagesWithSnapshotsAsQemuImg() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    String[][][] cases = {
        {{"1.1"}, {"IMG", "+1M"}},
        {{"0.10"}, {"IMG", "+1M"}},
        {{"0.10"}, {"IMG", "1M"}},
    };
    int n = 0;
    for (String[][] c : cases) {
      Path sub = dir.resolve("snap" + n++);
      checks.add(() -> {
        QemuParity p = new QemuParity(sub);
        // Made once and copied: the snapshot table holds the time it was taken.
        Path made = p.qemuDir.resolve("a.qcow2");
        Qemu.img("create", "-q", "-f", "qcow2", "-o", "compat=" + c[0][0], made.toString(), "1M");
        Qemu.img("snapshot", "-c", "s1", made.toString());
        Files.copy(made, p.toolDir.resolve("a.qcow2"));
        List<String> args = new ArrayList<>(List.of("resize"));
        args.addAll(List.of(c[1]));
        p.compare("a.qcow2", args.toArray(String[]::new));
        p.sameFile("a.qcow2", String.join(" ", args));
      });
    }
    assertAll(checks);
  }

  /**
   * Growth with preallocation: the same output and exit status; the same guest content, the
   * same map (what is data, what reads as zeros; host offsets may differ: the core's allocator
   * places the clusters) and a clean check; shrinking under snapshots of a v3 image as
   * qemu-img 7.2 does it (the snapshots keep their clusters, the file is cut after the last
   * cluster in use).
   */
  @Test
  void preallocationAndShrinkUnderSnapshotsAsQemuImg() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    String[][][] cases = {
        {{"", "0"}, {"--preallocation=metadata", "IMG", "+1M"}},
        {{"", "0"}, {"--preallocation=falloc", "IMG", "+1M"}},
        {{"", "0"}, {"--preallocation=full", "IMG", "+1M"}},
        {{"", "0"}, {"--preallocation=off", "IMG", "+1M"}},
        {{"compat=0.10", "0"}, {"--preallocation=metadata", "IMG", "3M"}},
        {{"cluster_size=4k", "0"}, {"--preallocation=falloc", "IMG", "2M"}},
        {{"cluster_size=512", "0"}, {"--preallocation=full", "IMG", "+700k"}},
        {{"extended_l2=on", "0"}, {"--preallocation=metadata", "IMG", "+1M"}},
        {{"refcount_bits=1", "0"}, {"--preallocation=full", "IMG", "+1M"}},
        {{"", "1"}, {"--preallocation=metadata", "IMG", "+1M"}},
        {{"", "0"}, {"--preallocation=full", "IMG", "1M"}},
        {{"", "0"}, {"--preallocation=metadata", "--shrink", "IMG", "512k"}},
        {{"", "1"}, {"--shrink", "IMG", "256k"}},
        {{"cluster_size=4k", "2"}, {"--shrink", "IMG", "-768k"}},
        {{"", "1"}, {"--shrink", "IMG", "+1M"}},
        {{"compat=0.10", "1"}, {"--shrink", "IMG", "256k"}},
    };
    int n = 0;
    for (String[][] c : cases) {
      Path sub = dir.resolve("prealloc" + n++);
      checks.add(() -> {
        QemuParity p = new QemuParity(sub);
        Path made = p.qemuDir.resolve("a.qcow2");
        List<String> create = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
        if (!c[0][0].isEmpty()) {
          create.addAll(List.of("-o", c[0][0]));
        }
        create.addAll(List.of(made.toString(), "1M"));
        Qemu.img(create.toArray(String[]::new));
        Qemu.io(made, "write -P 0x5a 0 64k", "write -P 0xa5 600k 100k");
        for (int s = 0; s < Integer.parseInt(c[0][1]); s++) {
          Qemu.img("snapshot", "-c", "s" + s, made.toString());
          Qemu.io(made, "write -P 0x3" + s + " " + (s * 300) + "k 50k");
        }
        Files.copy(made, p.toolDir.resolve("a.qcow2"));
        List<String> args = new ArrayList<>(List.of("resize"));
        args.addAll(List.of(c[1]));
        String what = String.join(" ", args) + " [" + c[0][0] + "]";
        ToolRun run = p.compare("a.qcow2", args.toArray(String[]::new));
        Path ours = p.toolDir.resolve("a.qcow2");
        QemuImg.Check check = QemuImg.check(ours);
        assertEquals(true, check.consistent(false), what + ": " + check.output());
        // Not strict: where the clusters lie is the map's to compare, without host offsets.
        assertEquals(0, QemuImg.compare(made, ours, false).exitCode(), what + ": content");
        if (!c[1][0].startsWith("--prealloc")) {
          // For preallocated ranges qemu-img map's zero/data flags come from the host file's
          // holes and fallocated extents, which the JDK cannot make (README, differences):
          // there the content, the check and the snapshots are compared, not the map.
          assertEquals(withoutOffsets(QemuImg.map(made)), withoutOffsets(QemuImg.map(ours)),
              what + ": map");
        }
        assertEquals(QemuImg.info(made).path("snapshots").toString(),
            QemuImg.info(ours).path("snapshots").toString(), what + ": snapshots");
        if (run.status() == 0 && !c[1][0].startsWith("--prealloc")) {
          p.sameFile("a.qcow2", what);
        }
      });
    }
    assertAll(checks);
  }

  /**
   * The map without host offsets, neighbours with the same flags merged (qemu-img splits runs
   * where the host clusters stop being contiguous, which depends on where they were put).
   */
  private static List<String> withoutOffsets(List<QemuImg.MapEntry> map) {
    List<String> out = new ArrayList<>();
    long start = 0;
    long end = 0;
    String flags = null;
    for (QemuImg.MapEntry e : map) {
      String f = " depth " + e.depth() + " present " + e.present() + " zero " + e.zero()
          + " data " + e.data();
      if (f.equals(flags) && e.start() == end) {
        end += e.length();
        continue;
      }
      if (flags != null) {
        out.add(start + "+" + (end - start) + flags);
      }
      start = e.start();
      end = e.start() + e.length();
      flags = f;
    }
    if (flags != null) {
      out.add(start + "+" + (end - start) + flags);
    }
    return out;
  }

  private static final String[][] RAW = {
      {"-f", "raw", "IMG", "2M"},
      {"-f", "raw", "IMG", "+100"},
      {"-f", "raw", "--shrink", "IMG", "512k"},
      {"-f", "raw", "--shrink", "IMG", "-1000"},
      {"-f", "raw", "--preallocation=full", "IMG", "4M"},
      {"-f", "raw", "--preallocation=falloc", "IMG", "3M"},
      {"IMG", "3M"},
      {"--image-opts", "driver=raw,file.filename=IMG", "3M"},
      {"-f", "raw", "IMG", "512k"},
      {"-f", "raw", "--preallocation=metadata", "IMG", "5M"},
  };

  @Test
  void rawImagesResizeAsQemuImgResizesThem() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    int n = 0;
    for (String[] c : RAW) {
      Path sub = dir.resolve("raw" + n++);
      checks.add(() -> {
        QemuParity p = new QemuParity(sub);
        byte[] data = new byte[1 << 20];
        java.util.Arrays.fill(data, 0, 1000, (byte) 0x77);
        java.util.Arrays.fill(data, data.length - 1000, data.length, (byte) 0x88);
        Files.write(p.qemuDir.resolve("a.raw"), data);
        Files.write(p.toolDir.resolve("a.raw"), data);
        List<String> args = new ArrayList<>(List.of("resize"));
        args.addAll(List.of(c));
        p.compare("a.raw", args.toArray(String[]::new));
        p.sameFile("a.raw", String.join(" ", args));
      });
    }
    assertAll(checks);
  }
}
