package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.CreateOptions.Preallocation;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/** Images we create are byte-identical to qemu-img's (or, with preallocation, equivalent). */
@Tag("qemu")
class CreateTest {
  @TempDir Path dir;

  private record Case(String qemuOpts, CreateOptions ours) {}

  private static List<Case> cases(long size) {
    CreateOptions d = CreateOptions.defaults(size);
    List<Case> c = new ArrayList<>();
    c.add(new Case("", d));
    c.add(new Case("compat=0.10", d.toBuilder().version(2).build()));
    c.add(new Case("cluster_size=512", d.toBuilder().clusterSize(512).build()));
    c.add(new Case("cluster_size=4096", d.toBuilder().clusterSize(4096).build()));
    c.add(new Case("cluster_size=2M", d.toBuilder().clusterSize(2 << 20).build()));
    c.add(new Case("compat=0.10,cluster_size=512",
        d.toBuilder().version(2).clusterSize(512).build()));
    for (int bits : new int[] {1, 2, 4, 8, 32, 64}) {
      c.add(new Case("refcount_bits=" + bits, d.toBuilder().refcountBits(bits).build()));
      c.add(new Case("refcount_bits=" + bits + ",cluster_size=512",
          d.toBuilder().refcountBits(bits).clusterSize(512).build()));
    }
    c.add(new Case("extended_l2=on", d.toBuilder().extendedL2(true).build()));
    c.add(new Case("extended_l2=on,cluster_size=16k",
        d.toBuilder().extendedL2(true).clusterSize(16384).build()));
    c.add(new Case("compression_type=zstd", d.toBuilder().compressionType(1).build()));
    c.add(new Case("lazy_refcounts=on", d.toBuilder().lazyRefcounts(true).build()));
    return c;
  }

  @Test
  void sameBytesAsQemuImg() throws Exception {
    Qemu.assumeAvailable();
    for (long size : new long[] {0, 1000, 1L << 20, 5L << 30, 100L << 30}) {
      for (Case c : cases(size)) {
        if (size > (1L << 30) && c.ours.clusterSize() == 512) {
          continue;
        }
        Path q = dir.resolve("q.qcow2");
        Path o = dir.resolve("o.qcow2");
        List<String> cmd = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
        if (!c.qemuOpts.isEmpty()) {
          cmd.add("-o");
          cmd.add(c.qemuOpts);
        }
        cmd.add(q.toString());
        cmd.add(Long.toString(size));
        Qemu.img(cmd.toArray(String[]::new));
        Qcow2Image.create(o, c.ours).close();
        assertArrayEquals(Files.readAllBytes(q), Files.readAllBytes(o), c.qemuOpts + " " + size);
      }
    }
  }

  @Test
  void backingAndDataFileLikeQemuImg() throws Exception {
    Qemu.assumeAvailable();
    Path base = dir.resolve("base.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", base.toString(), "3M");
    Path raw = dir.resolve("base.raw");
    Files.write(raw, new byte[2 << 20]);
    String[][] qemu = {
        {"-o", "backing_file=base.qcow2,backing_fmt=qcow2"},
        {"-o", "backing_file=base.raw,backing_fmt=raw"},
        {"-o", "data_file=" + dir.resolve("q.data")},
        {"-o", "data_file=" + dir.resolve("q.data") + ",data_file_raw=on"},
    };
    String oData = dir.resolve("o.data").toString();
    CreateOptions d = CreateOptions.defaults(-1);
    CreateOptions[] ours = {
        d.toBuilder().backingFile("base.qcow2").backingFormat("qcow2").build(),
        d.toBuilder().backingFile("base.raw").backingFormat("raw").build(),
        CreateOptions.builder(1 << 20).dataFile(oData).build(),
        CreateOptions.builder(1 << 20).dataFile(oData).dataFileRaw(true).build(),
    };
    for (int i = 0; i < ours.length; i++) {
      Path q = dir.resolve("q.qcow2");
      Path o = dir.resolve("o.qcow2");
      List<String> cmd = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
      cmd.addAll(List.of(qemu[i]));
      cmd.add(q.toString());
      if (i >= 2) {
        cmd.add("1M");
      }
      Qemu.img(cmd.toArray(String[]::new));
      Qcow2Image.create(o, ours[i]).close();
      byte[] qb = Files.readAllBytes(q);
      byte[] ob = Files.readAllBytes(o);
      if (i >= 2) {
        // The data file's name differs (q.data / o.data): compare with it replaced.
        String qs = new String(qb, java.nio.charset.StandardCharsets.ISO_8859_1)
            .replace("q.data", "o.data");
        qb = qs.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals(Files.size(dir.resolve("q.data")), Files.size(dir.resolve("o.data")));
      }
      assertArrayEquals(qb, ob, String.join(" ", qemu[i]));
      assertCheckClean(o);
    }
  }

  @Test
  void preallocationIsConsistent() throws Exception {
    Qemu.assumeAvailable();
    for (Preallocation p : new Preallocation[] {Preallocation.METADATA, Preallocation.FALLOC,
        Preallocation.FULL}) {
      for (CreateOptions c : new CreateOptions[] {
          CreateOptions.builder(3 << 20).preallocation(p).build(),
          CreateOptions.builder(3 << 20).version(2).preallocation(p).build(),
          CreateOptions.builder(3 << 20).clusterSize(512).preallocation(p).build(),
          CreateOptions.builder(3 << 20).extendedL2(true).preallocation(p).build(),
          CreateOptions.builder(3 << 20).dataFile(dir.resolve("o.data").toString())
              .preallocation(p).build()}) {
        Path o = dir.resolve("o.qcow2");
        Qcow2Image.create(o, c).close();
        assertCheckClean(o);
        String info = Qemu.img("check", "--output=json", o.toString());
        assertTrue(info.contains("\"allocated-clusters\": " + ((3 << 20) / c.clusterSize())),
            c + "\n" + info);
        byte[] raw = Qemu.rawContents(o, dir);
        assertArrayEquals(new byte[3 << 20], raw);
      }
    }
  }

  private static CreateOptions.Builder oneMiB() {
    return CreateOptions.builder(1 << 20);
  }

  @Test
  void validationMatchesQemuImg() {
    Object[][] bad = {
        {oneMiB().clusterSize(1000),
            "Cluster size must be a power of two between 512 and 2048k"},
        {oneMiB().clusterSize(256), "Cluster size must be a power of two between 512 and 2048k"},
        {oneMiB().version(2).lazyRefcounts(true), "Lazy refcounts only supported"},
        {oneMiB().version(2).refcountBits(8), "Different refcount widths than 16 bits"},
        {oneMiB().extendedL2(true).clusterSize(8192), "at least 16384 bytes"},
        {oneMiB().refcountBits(3), "Refcount width must be a power of two"},
        {oneMiB().refcountBits(128), "Refcount width must be a power of two"},
        {oneMiB().backingFormat("raw"), "Backing format cannot be used without backing file"},
        {oneMiB().version(2).compressionType(1), "Non-zlib compression type"},
        {oneMiB().dataFileRaw(true), "data-file-raw requires data-file"},
        {oneMiB().version(2).dataFile("x"), "External data files are only supported"},
        {oneMiB().backingFile("b").backingFormat("raw").preallocation(Preallocation.METADATA),
            "Backing file and preallocation"},
        {oneMiB().backingFile("b").backingFormat("raw").dataFile("x").dataFileRaw(true),
            "Backing file and data-file-raw"},
        {oneMiB().backingFile("x".repeat(1024)).backingFormat("raw"),
            "Backing file name too long"},
        {oneMiB().backingFile("b.raw"), "Backing file specified without backing format"},
        {oneMiB().backingFile("does-not-exist.qcow2").backingFormat("qcow2"),
            "Could not open backing image"},
    };
    for (Object[] b : bad) {
      CreateOptions o = ((CreateOptions.Builder) b[0]).build();
      Qcow2Exception e = assertThrows(Qcow2Exception.class,
          () -> Qcow2Image.create(dir.resolve("bad.qcow2"), o).close());
      assertTrue(e.getMessage().contains((String) b[1]), e.getMessage());
    }
  }

  static void assertCheckClean(Path image) throws Exception {
    Qemu.Result r = Qemu.run(List.of("qemu-img", "check", image.toString()));
    assertEquals(0, r.exitCode(), image + ":\n" + r.stdout() + r.stderr());
  }
}
