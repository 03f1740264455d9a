package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.provider.testing.Qemu;
import io.github.qcow2nio.provider.testing.TestImage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider over images qemu-img made, and qemu-img's view of the images tests build. */
class QemuInteropTest {
  @TempDir Path dir;

  @BeforeEach
  void needQemu() {
    Qemu.assumeAvailable();
  }

  static FileSystem open(Path image, Map<String, ?> env) throws IOException {
    return FileSystems.newFileSystem(URI.create("qcow2:" + image.toUri()), env);
  }

  static byte[] readAll(Path p) throws IOException {
    return Files.readAllBytes(p);
  }

  @Test
  void testImagesAreValidAndReadAsTheirModel() throws IOException {
    TestImage base = TestImage.of(3 << 20, 12).write(5000, new byte[] {1, 2, 3})
        .write((3 << 20) - 10, new byte[] {4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
    Path b = dir.resolve("base.qcow2");
    Files.write(b, base.toBytes());
    TestImage top = TestImage.of(3 << 20, 16).backing("base.qcow2", "qcow2")
        .write(70_000, new byte[100_000]);
    Path t = dir.resolve("top.qcow2");
    Files.write(t, top.toBytes());
    for (Path p : List.of(b, t)) {
      String check = Qemu.img("check", "--output=json", p.toString());
      assertTrue(check.contains("\"check-errors\": 0") && !check.contains("leaks")
          && !check.contains("corruptions\""), check);
    }
    assertArrayEquals(base.contents(), Qemu.rawContents(b, dir));
    assertArrayEquals(top.contents(base.contents()), Qemu.rawContents(t, dir));
  }

  @Test
  void readsWhatQemuWrote() throws IOException {
    for (String opts : new String[] {"compat=1.1", "compat=0.10", "cluster_size=512",
        "extended_l2=on", "compression_type=zstd", "refcount_bits=1,lazy_refcounts=on"}) {
      Path img = dir.resolve("q" + Integer.toHexString(opts.hashCode()) + ".qcow2");
      Qemu.img("create", "-f", "qcow2", "-o", opts, img.toString(), "3M");
      Qemu.io(img, "write -P 0xab 1000 70000", "write -z 200k 100k", "write -P 7 2M 3000",
          "write -c -P 0x5c 1M 64k");
      byte[] expected = Qemu.rawContents(img, dir);
      try (FileSystem fs = open(img, ContractSuite.RO)) {
        Path disk = fs.getPath("/disk");
        assertEquals(expected.length, Files.size(disk), opts);
        assertArrayEquals(expected, readAll(disk), opts);
        Map<String, Object> q = Files.readAttributes(disk, "qcow2:*");
        assertEquals(opts.contains("0.10") ? 2 : 3, q.get("version"), opts);
        assertEquals(opts.contains("zstd") ? "zstd" : "zlib", q.get("compressionType"));
        assertEquals(opts.contains("extended_l2=on"), q.get("extendedL2"));
        assertEquals(opts.contains("lazy_refcounts=on"), q.get("lazyRefcounts"));
        assertEquals(opts.contains("refcount_bits=1") ? 1 : 16, q.get("refcountBits"));
        assertEquals(opts.contains("cluster_size=512") ? 512 : 65536, q.get("clusterSize"));
      }
    }
  }

  @Test
  void snapshotsAreReadOnlyFiles() throws IOException {
    Path img = dir.resolve("s.qcow2");
    Qemu.img("create", "-f", "qcow2", img.toString(), "2M");
    Qemu.io(img, "write -P 1 0 1M");
    Qemu.img("snapshot", "-c", "first", img.toString());
    Qemu.io(img, "write -P 2 512k 1M");
    Qemu.img("snapshot", "-c", "second one", img.toString());
    Qemu.io(img, "write -P 3 0 4k");
    byte[] active = Qemu.rawContents(img, dir);
    try (FileSystem fs = open(img, Map.of("accessMode", "readWrite"))) {
      Path snaps = fs.getPath("/snapshots");
      try (Stream<Path> s = Files.list(snaps)) {
        assertEquals(List.of(snaps.resolve("first"), snaps.resolve("second one")), s.toList());
      }
      assertArrayEquals(active, readAll(fs.getPath("/disk")));
      for (String name : List.of("first", "second one")) {
        Path raw = dir.resolve("snap.raw");
        Qemu.img("convert", "-l", "snapshot.name=" + name, "-O", "raw", img.toString(),
            raw.toString());
        Path snap = snaps.resolve(name);
        assertTrue(Files.isRegularFile(snap));
        assertEquals(Files.size(raw), Files.size(snap));
        assertArrayEquals(Files.readAllBytes(raw), readAll(snap), name);
        assertFalse(Files.isWritable(snap));
        assertThrows(AccessDeniedException.class,
            () -> Files.newByteChannel(snap, StandardOpenOption.WRITE));
        assertEquals(snap, Path.of(snap.toUri()));
        Files.delete(raw);
      }
      assertEquals(List.of("first", "second one"),
          Files.readAttributes(fs.getPath("/disk"), "qcow2:snapshots").get("snapshots"));
      assertFalse(Files.exists(snaps.resolve("third")));
    }
  }

  @Test
  void rawBackingFile() throws IOException {
    Path base = dir.resolve("base.raw");
    byte[] b = new byte[1 << 20];
    new java.util.Random(5).nextBytes(b);
    Files.write(base, b);
    Path img = dir.resolve("over.qcow2");
    Qemu.img("create", "-f", "qcow2", "-b", "base.raw", "-F", "raw", img.toString(), "2M");
    Qemu.io(img, "write -P 9 100k 8k");
    byte[] expected = Qemu.rawContents(img, dir);
    try (FileSystem fs = open(img, ContractSuite.RO)) {
      assertArrayEquals(expected, readAll(fs.getPath("/disk")));
      Map<String, Object> q = Files.readAttributes(fs.getPath("/disk"), "qcow2:*");
      assertEquals("base.raw", q.get("backingFile"));
      assertEquals("raw", q.get("backingFormat"));
    }
  }
}
