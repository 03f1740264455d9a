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
    c.add(new Case("compat=0.10", d.withVersion(2)));
    c.add(new Case("cluster_size=512", d.withClusterSize(512)));
    c.add(new Case("cluster_size=4096", d.withClusterSize(4096)));
    c.add(new Case("cluster_size=2M", d.withClusterSize(2 << 20)));
    c.add(new Case("compat=0.10,cluster_size=512", d.withVersion(2).withClusterSize(512)));
    for (int bits : new int[] {1, 2, 4, 8, 32, 64}) {
      c.add(new Case("refcount_bits=" + bits, d.withRefcountBits(bits)));
      c.add(new Case("refcount_bits=" + bits + ",cluster_size=512",
          d.withRefcountBits(bits).withClusterSize(512)));
    }
    c.add(new Case("extended_l2=on", d.withExtendedL2(true)));
    c.add(new Case("extended_l2=on,cluster_size=16k", d.withExtendedL2(true).withClusterSize(16384)));
    c.add(new Case("compression_type=zstd", d.withCompressionType(1)));
    c.add(new Case("lazy_refcounts=on", d.withLazyRefcounts(true)));
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
        d.withBacking("base.qcow2", "qcow2"),
        d.withBacking("base.raw", "raw"),
        CreateOptions.defaults(1 << 20).withDataFile(oData, false),
        CreateOptions.defaults(1 << 20).withDataFile(oData, true),
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
          CreateOptions.defaults(3 << 20).withPreallocation(p),
          CreateOptions.defaults(3 << 20).withVersion(2).withPreallocation(p),
          CreateOptions.defaults(3 << 20).withClusterSize(512).withPreallocation(p),
          CreateOptions.defaults(3 << 20).withExtendedL2(true).withPreallocation(p),
          CreateOptions.defaults(3 << 20).withDataFile(dir.resolve("o.data").toString(), false)
              .withPreallocation(p)}) {
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

  @Test
  void validationMatchesQemuImg() {
    CreateOptions d = CreateOptions.defaults(1 << 20);
    Object[][] bad = {
        {d.withClusterSize(1000), "Cluster size must be a power of two between 512 and 2048k"},
        {d.withClusterSize(256), "Cluster size must be a power of two between 512 and 2048k"},
        {d.withVersion(2).withLazyRefcounts(true), "Lazy refcounts only supported"},
        {d.withVersion(2).withRefcountBits(8), "Different refcount widths than 16 bits"},
        {d.withExtendedL2(true).withClusterSize(8192), "at least 16384 bytes"},
        {d.withRefcountBits(3), "Refcount width must be a power of two"},
        {d.withRefcountBits(128), "Refcount width must be a power of two"},
        {d.withBacking(null, "raw"), "Backing format cannot be used without backing file"},
        {d.withVersion(2).withCompressionType(1), "Non-zlib compression type"},
        {d.withDataFile(null, true), "data-file-raw requires data-file"},
        {d.withVersion(2).withDataFile("x", false), "External data files are only supported"},
        {d.withBacking("b", "raw").withPreallocation(Preallocation.METADATA),
            "Backing file and preallocation"},
        {d.withBacking("b", "raw").withDataFile("x", true), "Backing file and data-file-raw"},
        {d.withBacking("x".repeat(1024), "raw"), "Backing file name too long"},
        {d.withBacking("b.raw", null), "Backing file specified without backing format"},
        {d.withBacking("does-not-exist.qcow2", "qcow2"), "Could not open backing image"},
    };
    for (Object[] b : bad) {
      Qcow2Exception e = assertThrows(Qcow2Exception.class,
          () -> Qcow2Image.create(dir.resolve("bad.qcow2"), (CreateOptions) b[0]).close());
      assertTrue(e.getMessage().contains((String) b[1]), e.getMessage());
    }
  }

  static void assertCheckClean(Path image) throws Exception {
    Qemu.Result r = Qemu.run(List.of("qemu-img", "check", image.toString()));
    assertEquals(0, r.exitCode(), image + ":\n" + r.stdout() + r.stderr());
  }
}
