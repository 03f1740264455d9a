package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qcow2 amend} against {@code qemu-img amend}: one image made by qemu-img (data and zeros
 * written by qemu-io, snapshots taken) is copied to both sides; the same arguments must print the
 * same and exit the same; then both results' {@code qemu-img info --output=json} must agree field
 * by field, our result must pass {@code qemu-img check} with no errors and no leaks, and its
 * guest content must equal qemu-img's result and the image before the call.
 */
@Tag("qemu")
class AmendAgainstQemuTest {
  @TempDir Path dir;

  /** A case: create options, qemu-io commands, snapshots to take, a backing file, amend args. */
  private record Case(String create, String[] io, int snapshots, boolean backing,
      String... args) {}

  private static final String[] DATA = {"write -P 0x5a 0 256k", "write -z 1M 512k",
      "write -P 0x33 3M 64k", "write -P 0x44 4M 128k", "write -z 4M 64k"};
  private static final String[] NONE = {};

  private static final List<Case> CASES = List.of(
      // compat 1.1 -> 0.10: zeros expanded, feature bits and extensions dropped
      new Case("", DATA, 0, false, "-o", "compat=0.10", "IMG"),
      new Case("", NONE, 0, false, "-o", "compat=v2", "IMG"),
      new Case("lazy_refcounts=on", DATA, 0, false, "-o", "compat=0.10", "IMG"),
      new Case("", DATA, 2, false, "-o", "compat=0.10", "IMG"),
      new Case("", DATA, 0, true, "-o", "compat=0.10", "IMG"),
      new Case("cluster_size=4k", DATA, 1, false, "-o", "compat=0.10", "IMG"),
      new Case("cluster_size=512", DATA, 0, false, "-o", "compat=0.10", "IMG"),
      new Case("compression_type=zstd", NONE, 0, false, "-o", "compat=0.10", "IMG"),
      new Case("refcount_bits=8", DATA, 0, false, "-o", "compat=0.10,refcount_bits=16", "IMG"),
      // compat 0.10 -> 1.1
      new Case("compat=0.10", DATA, 0, false, "-o", "compat=1.1", "IMG"),
      new Case("compat=0.10", DATA, 2, false, "-o", "compat=v3", "IMG"),
      new Case("compat=0.10", DATA, 0, false, "-o", "compat=1.1,refcount_bits=8", "IMG"),
      new Case("compat=0.10,cluster_size=4k", DATA, 0, false, "-o",
          "compat=1.1,lazy_refcounts=on", "IMG"),
      // lazy refcounts
      new Case("", DATA, 0, false, "-o", "lazy_refcounts=on", "IMG"),
      new Case("lazy_refcounts=on", DATA, 0, false, "-o", "lazy_refcounts=off", "IMG"),
      new Case("", NONE, 0, false, "-o", "lazy_refcounts", "IMG"),
      // refcount widths, both ways
      new Case("", DATA, 0, false, "-o", "refcount_bits=1", "IMG"),
      new Case("", DATA, 0, false, "-o", "refcount_bits=8", "IMG"),
      new Case("", DATA, 0, false, "-o", "refcount_bits=64", "IMG"),
      new Case("refcount_bits=1", DATA, 0, false, "-o", "refcount_bits=64", "IMG"),
      new Case("refcount_bits=64", DATA, 0, false, "-o", "refcount_bits=1", "IMG"),
      new Case("refcount_bits=2", DATA, 1, false, "-o", "refcount_bits=16", "IMG"),
      new Case("cluster_size=512", DATA, 0, false, "-o", "refcount_bits=64", "IMG"),
      new Case("cluster_size=512,refcount_bits=64", DATA, 0, false, "-o", "refcount_bits=1",
          "IMG"),
      // (qemu-img takes minutes to change the width with 2 MiB clusters: not here)
      new Case("cluster_size=2M", DATA, 0, false, "-o", "compat=0.10", "IMG"),
      new Case("extended_l2=on", DATA, 0, false, "-o", "refcount_bits=32", "IMG"),
      new Case("compression_type=zstd", DATA, 0, false, "-o", "refcount_bits=8", "IMG"),
      new Case("", DATA, 3, false, "-o", "refcount_bits=4", "IMG"),
      new Case("", DATA, 3, false, "-o", "refcount_bits=1", "IMG"),
      new Case("", DATA, 0, true, "-o", "refcount_bits=8", "IMG"),
      // size
      new Case("", DATA, 0, false, "-o", "size=128M", "IMG"),
      new Case("", DATA, 0, false, "-o", "size=2M", "IMG"),
      new Case("", DATA, 0, false, "-o", "size=0", "IMG"),
      new Case("compat=0.10", NONE, 1, false, "-o", "size=128M", "IMG"),
      new Case("compat=0.10", NONE, 1, false, "-o", "size=128M,compat=1.1", "IMG"),
      // refused by the format
      new Case("extended_l2=on", DATA, 0, false, "-o", "compat=0.10", "IMG"),
      new Case("refcount_bits=8", DATA, 0, false, "-o", "compat=0.10", "IMG"),
      new Case("compat=0.10", DATA, 0, false, "-o", "lazy_refcounts=on", "IMG"),
      new Case("compat=0.10", DATA, 0, false, "-o", "refcount_bits=8", "IMG"),
      new Case("", DATA, 0, false, "-o", "compat=0.10,lazy_refcounts=on", "IMG"),
      new Case("", DATA, 0, true, "-o", "backing_file=base.qcow2", "IMG"),
      new Case("", DATA, 0, false, "-o", "backing_fmt=raw", "IMG"),
      new Case("", DATA, 0, false, "-o", "data_file=x.raw", "IMG"),
      new Case("", DATA, 0, false, "-o", "data_file_raw=on", "IMG"),
      new Case("", DATA, 0, false, "-o", "encrypt.new-secret=x", "IMG"),
      new Case("", DATA, 0, false, "-o", "size=1000", "IMG"),
      // refused on the command line
      new Case("", NONE, 0, false, "-o", "cluster_size=4k", "IMG"),
      new Case("", NONE, 0, false, "-o", "encryption=on,foo=1", "IMG"),
      new Case("", NONE, 0, false, "-o", "foo=bar", "IMG"),
      new Case("", NONE, 0, false, "-o", "compat=2", "IMG"),
      new Case("", NONE, 0, false, "-o", "compat", "IMG"),
      new Case("", NONE, 0, false, "-o", "lazy_refcounts=maybe", "IMG"),
      new Case("", NONE, 0, false, "-o", "refcount_bits=3", "IMG"),
      new Case("", NONE, 0, false, "-o", "refcount_bits=abc", "IMG"),
      new Case("", NONE, 0, false, "-o", "size=1x", "IMG"),
      new Case("", NONE, 0, false, "-o", "", "IMG"),
      new Case("", NONE, 0, false, "IMG"),
      new Case("", NONE, 0, false, "-o", "compat=1.1"),
      new Case("", NONE, 0, false, "-o", "compat=1.1", "IMG", "IMG"),
      new Case("", NONE, 0, false, "-f", "raw", "-o", "compat=1.1", "IMG"),
      new Case("", NONE, 0, false, "-t", "bogus", "-o", "compat=1.1", "IMG"),
      new Case("", NONE, 0, false, "-U", "-o", "compat=1.1", "IMG"),
      // accepted options, help, progress
      new Case("", NONE, 0, false, "-o", "help", "IMG"),
      new Case("", NONE, 0, false, "-o", "compat=0.10,help", "IMG"),
      new Case("", NONE, 0, false, "-q", "-t", "none", "-o", "compat=0.10", "IMG"),
      new Case("", NONE, 0, false, "-o", "compat=1.1", "-o", "compat=0.10", "IMG"),
      new Case("", NONE, 0, false, "--image-opts", "-o", "compat=0.10",
          "driver=qcow2,file.filename=IMG"),
      new Case("", NONE, 0, false, "--object", "secret,id=s0,data=x", "-o", "compat=1.1",
          "IMG"),
      new Case("", NONE, 0, false, "-p", "-o", "compat=1.1", "IMG"),
      new Case("", NONE, 0, false, "--force", "-o", "lazy_refcounts=on", "IMG"));

  @Test
  void amendsAsQemuImgAmends() throws IOException {
    Qemu.assumeAvailable();
    List<Executable> checks = new ArrayList<>();
    int n = 0;
    for (Case c : CASES) {
      Path sub = dir.resolve("case" + n++);
      checks.add(() -> run(sub, c));
    }
    assertAll(checks);
  }

  private static void run(Path sub, Case c) throws IOException {
    QemuParity p = new QemuParity(sub);
    // Made once, then copied to both sides the same way (Files.copy writes every byte, so both
    // copies are equally allocated and qemu-img info's actual-size compares).
    Path src = Files.createDirectories(sub.resolve("made"));
    Path made = src.resolve("a.qcow2");
    List<String> create = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", "qcow2"));
    if (c.backing()) {
      Path base = src.resolve("base.qcow2");
      Qemu.ok("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), "8M");
      Qemu.io(base, "write -P 0x11 0 8M");
      Files.copy(base, p.qemuDir.resolve("base.qcow2"));
      Files.copy(base, p.toolDir.resolve("base.qcow2"));
      create.addAll(List.of("-b", "base.qcow2", "-F", "qcow2"));
    }
    if (!c.create().isEmpty()) {
      create.addAll(List.of("-o", c.create()));
    }
    create.add(made.toString());
    create.add("8M");
    assertEquals(0, Qemu.run(create, src).exitCode(), create.toString());
    if (c.io().length > 0) {
      Qemu.io(made, c.io());
    }
    for (int s = 0; s < c.snapshots(); s++) {
      Qemu.ok("qemu-img", "snapshot", "-c", "s" + s, made.toString());
      Qemu.io(made, "write -P 0x" + Integer.toHexString(0x70 + s) + " " + (s * 128) + "k 64k",
          "write -z 4M 64k");
    }
    // Snapshots hold the time they were taken: one image, three copies.
    Files.copy(made, p.qemuDir.resolve("a.qcow2"));
    Files.copy(made, p.toolDir.resolve("a.qcow2"));
    Files.copy(made, p.toolDir.resolve("before.qcow2"));
    List<String> args = new ArrayList<>(List.of("amend"));
    args.addAll(List.of(c.args()));
    String what = String.join(" ", args) + " [" + c.create() + "]";
    ToolRun run = p.compare("a.qcow2", args.toArray(String[]::new));
    Path ours = p.toolDir.resolve("a.qcow2");
    Path theirs = p.qemuDir.resolve("a.qcow2");
    JsonNode q = QemuImg.info(theirs);
    JsonNode t = QemuImg.info(ours);
    // qemu-img's downgrade can leave an image its own check faults (a shared preallocated zero
    // cluster expanded in place, COPIED set with a refcount of 2); ours leaves the shared
    // cluster to the snapshot and gives the active layer a cluster of its own (or none), so
    // the files' allocation differs there (see AmendDowngradeAgainstQemuTest).
    // When both files hold the same bytes, that is compared instead of actual-size (which
    // then differs only by how the host file system allocated the same bytes: seen, 4 KiB).
    boolean sameBytes = Files.mismatch(theirs, ours) == -1;
    sameInfo(q, t, what, QemuImg.check(theirs).consistent(true) && !sameBytes);
    QemuImg.Check check = QemuImg.check(ours);
    assertTrue(check.consistent(false), what + ": " + check.output());
    assertEquals(0, QemuImg.compare(theirs, ours, false).exitCode(), what + ": content");
    if (q.path("virtual-size").asLong() == QemuImg.info(p.toolDir.resolve("before.qcow2"))
        .path("virtual-size").asLong()) {
      assertEquals(0, QemuImg.compare(p.toolDir.resolve("before.qcow2"), ours, false)
          .exitCode(), what + ": content unchanged");
    }
    if (run.status() != 0) {
      // A refusal changes nothing.
      p.sameFile("a.qcow2", what);
      assertEquals(-1, Files.mismatch(p.toolDir.resolve("before.qcow2"), ours), what);
    }
  }

  /** Every field of qemu-img info but the file's name (and where told, actual-size) agrees. */
  private static void sameInfo(JsonNode q, JsonNode t, String what, boolean actualSize) {
    Iterator<String> names = q.fieldNames();
    List<String> all = new ArrayList<>();
    names.forEachRemaining(all::add);
    t.fieldNames().forEachRemaining(f -> {
      if (!all.contains(f)) {
        all.add(f);
      }
    });
    for (String f : all) {
      if (f.equals("filename") || f.equals("full-backing-filename")
          || (f.equals("actual-size") && !actualSize)) {
        continue;
      }
      assertEquals(q.path(f).toString(), t.path(f).toString(), what + ": info field " + f);
    }
  }
}
