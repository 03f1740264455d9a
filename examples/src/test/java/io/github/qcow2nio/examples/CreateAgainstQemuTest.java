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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qcow2 create} against {@code qemu-img create}: the same arguments give the same
 * "Formatting" line, the same errors, the same exit status and a byte-identical image.
 */
@Tag("qemu")
class CreateAgainstQemuTest {
  @TempDir Path dir;

  /** Each: the image's name, then the arguments (IMG is the image's path on each side). */
  private static final String[][] MADE = {
      {"a.qcow2", "create", "-f", "qcow2", "IMG", "1G"},
      {"a.qcow2", "create", "-f", "qcow2", "IMG", "1.5G"},
      {"a.qcow2", "create", "-f", "qcow2", "IMG", "1000"},
      {"a.qcow2", "create", "-f", "qcow2", "IMG", "0"},
      {"a.qcow2", "create", "-f", "qcow2", "IMG", "0x100"},
      {"a.qcow2", "create", "-f", "qcow2", "IMG", "+1.3k"},
      {"a.qcow2", "create", "-f", "qcow2", "IMG", "1t"},
      {"a.qcow2", "create", "-fqcow2", "IMG", "1M"},
      {"a.qcow2", "create", "-q", "-f", "qcow2", "IMG", "1M"},
      {"a.qcow2", "create", "IMG", "-f", "qcow2", "1M"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "cluster_size=4k,compat=0.10", "IMG", "100M"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "compat=1.1", "IMG", "1M"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "compat=0.10,compat=v3", "IMG", "1M"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "cluster_size=512", "IMG", "64M"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "cluster_size=2M", "IMG", "10G"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "size=5M", "IMG"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "cluster_size=4k", "-o", "refcount_bits=010",
          "IMG", "1M"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "refcount_bits=1", "IMG", "16M"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "refcount_bits=64", "IMG", "16M"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "extended_l2,cluster_size=64k", "IMG", "1M"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "extended_l2=y,lazy_refcounts=true", "IMG",
          "3M"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "preallocation=metadata,lazy_refcounts=on,"
          + "extended_l2=on,compression_type=zstd,refcount_bits=8", "IMG", "10M"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "compat=v3,data_file=a.data,data_file_raw=on",
          "IMG", "1M"},
      {"a.qcow2", "create", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", "IMG"},
      {"a.qcow2", "create", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", "IMG", "1.3k"},
      {"a.qcow2", "create", "-f", "qcow2", "-b", "base.raw", "-F", "raw", "IMG"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "backing_file=base.qcow2,backing_fmt=qcow2",
          "IMG", "2M"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "backing_fmt=raw", "-F", "qcow2", "-b",
          "base.qcow2", "IMG"},
      {"a.qcow2", "create", "-f", "qcow2", "-o", "extended_l2=on,preallocation=metadata", "-b",
          "base.qcow2", "-F", "qcow2", "IMG", "1M"},
      {"a.qcow2", "create", "-f", "qcow2", "-b", "missing.qcow2", "-F", "qcow2", "-u", "IMG",
          "1G"},
      {"a.qcow2", "create", "-f", "qcow2", "-u", "-b", "base.qcow2", "-F", "qcow2", "IMG", "64M"},
      {"a.qcow2", "create", "-f", "qcow2", "-u", "-o", "cluster_size=4k,compat=0.10", "-b",
          "base.raw", "-F", "raw", "IMG", "5M"},
      {"a.raw", "create", "IMG", "1M"},
      {"a.raw", "create", "-f", "raw", "IMG", "1000"},
      {"a.raw", "create", "-f", "raw", "-o", "preallocation=full", "IMG", "1M"},
      {"a.raw", "create", "-f", "raw", "-o", "preallocation=falloc", "IMG", "64k"},
      {"a.raw", "create", "-f", "raw", "-o", "size=3M", "IMG"},
  };

  private static final String[][] REFUSED = {
      {"create"},
      {"create", "-f", "qcow2"},
      {"create", "-f", "qcow2", "IMG"},
      {"create", "-f", "qcow2", "IMG", "1M", "2M"},
      {"create", "-f", "qcow2", "IMG", "1.5"},
      {"create", "-f", "qcow2", "IMG", "1.5b"},
      {"create", "-f", "qcow2", "IMG", "1Kb"},
      {"create", "-f", "qcow2", "IMG", "1e3"},
      {"create", "-f", "qcow2", "IMG", "--", "-1"},
      {"create", "-f", "qcow2", "IMG", "9E"},
      {"create", "-f", "qcow2", "IMG", "7E"},
      {"create", "-f", "qcow2", "IMG", "1.5e"},
      {"create", "-f", "qcow2", "-U", "IMG", "1M"},
      {"create", "-f", "qcow2", "--image-opts", "IMG", "1M"},
      {"create", "-f"},
      {"create", "-f", "qcow2", "-b", "base.qcow2", "IMG"},
      {"create", "-f", "qcow2", "-b", "base.raw", "IMG", "1M"},
      {"create", "-f", "qcow2", "-b", "missing.qcow2", "-F", "qcow2", "IMG", "1M"},
      {"create", "-f", "qcow2", "-b", "missing.qcow2", "IMG", "1M"},
      {"create", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", "-u", "IMG"},
      {"create", "-f", "qcow2", "-b", "base.qcow2", "-u", "IMG", "1M"},
      {"create", "-f", "qcow2", "-b", "", "-F", "qcow2", "IMG", "1M"},
      {"create", "-f", "qcow2", "-F", "qcow2", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "preallocation=full", "-b", "base.qcow2", "-F", "qcow2",
          "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "cluster_size=3000", "IMG", "1M"},
      {"create", "-q", "-f", "qcow2", "-o", "cluster_size=3000", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "cluster_size=4M", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "bogus=1", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "size=1M", "IMG", "2M"},
      {"create", "-f", "qcow2", "-o", "compat=1.2", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "lazy_refcounts=maybe", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "refcount_bits=x", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "refcount_bits=08", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "refcount_bits=3", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "compression_type=lz4", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "preallocation=bad", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "cluster_size=abc", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "cluster_size", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "size=abc", "IMG"},
      {"create", "-f", "qcow2", "-o", ",cluster_size=4k", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "a=1,", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "compat=0.10,lazy_refcounts=on", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "compat=0.10,refcount_bits=8", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "extended_l2=on,cluster_size=4k", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "data_file_raw=on", "IMG", "1M"},
      {"create", "-f", "raw", "-b", "base.qcow2", "-F", "qcow2", "IMG", "1M"},
      {"create", "-f", "raw", "-o", "preallocation=metadata", "IMG", "1M"},
      {"create", "-f", "raw", "-o", "cluster_size=4k", "IMG", "1M"},
      {"create", "-f", "raw", "IMG"},
      // Encryption options without --object: no secret resolves, as in qemu-img.
      {"create", "-f", "qcow2", "-o", "encrypt.format=luks,encrypt.key-secret=s0", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "encrypt.format=luks", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "encrypt.format=luks,encrypt.cipher-alg=foo", "IMG", "1M"},
      {"create", "-f", "qcow2", "-o", "encrypt.format=luks,encrypt.key-secret=s0,"
          + "encrypt.hash-alg=sha3", "IMG", "1M"},
  };

  private QemuParity sides() throws IOException {
    QemuParity p = new QemuParity(dir);
    p.both("create", "-q", "-f", "qcow2", "DIR/base.qcow2", "3M");
    p.both("create", "-q", "-f", "raw", "DIR/base.raw", "197120");
    return p;
  }

  @Test
  void imagesAreByteIdenticalToQemuImgs() throws IOException {
    Qemu.assumeAvailable();
    QemuParity p = sides();
    List<Executable> checks = new ArrayList<>();
    for (String[] c : MADE) {
      String[] args = Arrays.copyOfRange(c, 1, c.length);
      String what = String.join(" ", args);
      checks.add(() -> {
        try {
          ToolRun run = p.compare(c[0], args);
          assertEquals(0, run.status(), what);
          p.sameFile(c[0], what);
          p.sameFile("a.data", what);
        } finally {
          for (Path side : new Path[] {p.qemuDir, p.toolDir}) {
            Files.deleteIfExists(side.resolve(c[0]));
            Files.deleteIfExists(side.resolve("a.data"));
          }
        }
      });
    }
    assertAll(checks);
  }

  /**
   * {@code create --object secret,... -o encrypt.format=luks,...}: the same Formatting line and
   * status as qemu-img's (the images differ: the keys are random), and qemu-img unlocks ours with
   * the passphrase, finds it clean, writes through it, and the tool reads back what it wrote.
   */
  @Test
  void encryptedImagesAreMadeAsQemuImgMakesThem() throws IOException {
    Qemu.assumeAvailable();
    QemuParity p = sides();
    String secret = "secret,id=s0,data=correct horse";
    String[] options = {
        "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10",
        "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10,encrypt.cipher-alg=aes-128,"
            + "encrypt.cipher-mode=cbc,encrypt.ivgen-alg=essiv,encrypt.hash-alg=sha1",
        "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10,cluster_size=4k",
    };
    for (String o : options) {
      ToolRun run = p.compare("e.qcow2", "create", "--object", secret, "-f", "qcow2", "-o", o,
          "IMG", "3M");
      assertEquals(0, run.status(), o);
      Path ours = p.toolDir.resolve("e.qcow2");
      String opts = "driver=qcow2,file.filename=" + ours + ",encrypt.key-secret=s0";
      Qemu.Result check = Qemu.run("qemu-img", "check", "--object", secret, "--image-opts", opts);
      assertEquals(0, check.exitCode(), o + ": " + check.stdout() + check.stderr());
      Qemu.Result write = Qemu.run("qemu-io", "--object", secret, "--image-opts", opts, "-c",
          "write -P 0x5a 4096 70000");
      assertEquals(0, write.exitCode(), o + ": " + write.stderr());
      Path raw = p.toolDir.resolve("e.raw");
      ToolRun convert = ToolRun.of("convert", "--object", secret, "--image-opts", opts, "-O",
          "raw", raw.toString());
      assertEquals(0, convert.status(), o + ": " + convert.err());
      byte[] expected = new byte[3 << 20];
      Arrays.fill(expected, 4096, 4096 + 70000, (byte) 0x5a);
      assertTrue(Arrays.equals(expected, Files.readAllBytes(raw)), o + ": guest bytes");
      for (Path side : new Path[] {p.qemuDir, p.toolDir}) {
        Files.deleteIfExists(side.resolve("e.qcow2"));
      }
      Files.delete(raw);
    }
  }

  @Test
  void refusalsAreQemuImgsWordForWord() throws IOException {
    Qemu.assumeAvailable();
    QemuParity p = sides();
    List<Executable> checks = new ArrayList<>();
    for (String[] args : REFUSED) {
      checks.add(() -> assertEquals(1, p.compare("a.qcow2", args).status()));
    }
    assertAll(checks);
  }

  /**
   * qcow2 with preallocation=falloc or full: the core lays the clusters out in an order of its
   * own (the refcount structures land elsewhere), so the images differ in layout, not in what
   * they hold: the same output, a clean check, the same guest bytes and allocation.
   */
  @Test
  void preallocatedImagesHoldWhatQemuImgsHold() throws IOException {
    Qemu.assumeAvailable();
    QemuParity p = sides();
    for (String mode : new String[] {"falloc", "full"}) {
      for (String size : new String[] {"2M", "3000k"}) {
        String[] args = {"create", "-f", "qcow2", "-o", "preallocation=" + mode, "IMG", size};
        ToolRun run = p.compare("a.qcow2", args);
        assertEquals(0, run.status(), String.join(" ", args));
        Path ours = p.toolDir.resolve("a.qcow2");
        Path theirs = p.qemuDir.resolve("a.qcow2");
        QemuImg.Check check = QemuImg.check(ours);
        assertEquals(0, check.exitCode(), mode + " " + size);
        assertEquals(QemuImg.check(theirs).allocatedClusters(), check.allocatedClusters());
        assertEquals(0, QemuImg.compare(theirs, ours, false).exitCode(), mode + " " + size);
      }
    }
  }

  @Test
  void optionHelpListsTheOptionsThisToolTakes() throws IOException {
    Qemu.assumeAvailable();
    for (String fmt : new String[] {"qcow2", "raw"}) {
      ToolRun run = ToolRun.ok("create", "-f", fmt, "-o", "help");
      String qemu = Qemu.img("create", "-f", fmt, "-o", "help");
      // Each line ours prints, qemu-img prints (it lists encryption options too).
      for (String line : run.out().split("\n")) {
        assertTrue(qemu.contains(line + "\n") || fmt.equals("raw")
            && line.startsWith("  preallocation="), line);
      }
      assertTrue(run.out().startsWith("Supported " + fmt + " options:\n"), run.out());
    }
  }
}
