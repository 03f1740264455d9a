package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.testing.Qemu;
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
import org.junit.jupiter.api.Tag;

/** The provider over images qemu-img made, and qemu-img's view of the images tests build. */
@Tag("qemu")
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
        // -U: the file system holds the image writable, with QEMU's locks, as a VM would.
        Qemu.img("convert", "-U", "-l", "snapshot.name=" + name, "-O", "raw", img.toString(),
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

      // Writing the active disk leaves every snapshot as it was (clusters shared with them are
      // copied, never overwritten), and qemu-img agrees byte for byte.
      Path disk = fs.getPath("/disk");
      ContractSuite.assumeWritable(fs);
      byte[] data = new byte[300_000];
      new java.util.Random(12).nextBytes(data);
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(disk,
          StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(data), 400_000);
      }
      System.arraycopy(data, 0, active, 400_000, data.length);
      assertArrayEquals(active, readAll(disk));
    }
    assertArrayEquals(active, Qemu.rawContents(img, dir));
    String check = Qemu.img("check", "--output=json", img.toString());
    assertTrue(check.contains("\"check-errors\": 0") && !check.contains("leaks")
        && !check.contains("corruptions\""), check);
    Path raw = dir.resolve("first.raw");
    Qemu.img("convert", "-l", "snapshot.name=first", "-O", "raw", img.toString(),
        raw.toString());
    try (FileSystem fs = open(img, ContractSuite.RO)) {
      assertArrayEquals(Files.readAllBytes(raw), readAll(fs.getPath("/snapshots/first")));
    }
    byte[] first = new byte[2 << 20];
    java.util.Arrays.fill(first, 0, 1 << 20, (byte) 1);
    assertArrayEquals(first, Files.readAllBytes(raw));
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

  static void assertClean(Path image) throws IOException {
    String check = Qemu.img("check", "--output=json", image.toString());
    assertTrue(check.contains("\"check-errors\": 0") && !check.contains("leaks")
        && !check.contains("corruptions\""), check);
  }

  @Test
  void imagesWrittenThroughTheProviderPassQemuImgCheck() throws Exception {
    Path base = dir.resolve("base.qcow2");
    Qemu.img("create", "-f", "qcow2", "-o", "cluster_size=4k", base.toString(), "1M");
    Qemu.io(base, "write -P 0x11 0 512k", "write -c -P 0x22 512k 64k");
    Path top = dir.resolve("top.qcow2");
    byte[] model;
    try (FileSystem fs = open(top, Map.of("create", "true", "backingFile", "base.qcow2",
        "backingFormat", "qcow2", "clusterSize", "4k", "lazyRefcounts", "true"))) {
      ContractSuite.assumeWritable(fs);
      model = Qemu.rawContents(base, dir);
      ContractSuite.concurrentWorkload(fs, model, 77);
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
          fs.getPath("/disk"), StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), (1 << 20) + 100);
        ch.truncate((1 << 20) + 512);
      }
      model = java.util.Arrays.copyOf(model, (1 << 20) + 512);
      model[(1 << 20) + 100] = 1;
      model[(1 << 20) + 101] = 2;
      model[(1 << 20) + 102] = 3;
    }
    assertClean(top);
    assertClean(base);
    assertArrayEquals(model, Qemu.rawContents(top, dir));
    String info = Qemu.img("info", top.toString());
    assertTrue(info.contains("backing file: base.qcow2") && info.contains("lazy refcounts: true"),
        info);
  }

  @Test
  void createdImagesMatchQemuImgInfo() throws IOException {
    Path v2 = dir.resolve("v2.qcow2");
    try (FileSystem fs = open(v2, Map.of("create", "true", "size", "10M", "compat", "0.10",
        "clusterSize", "512"))) {
      assertEquals(10L << 20, Files.size(fs.getPath("/disk")));
    }
    assertClean(v2);
    String info = Qemu.img("info", v2.toString());
    assertTrue(info.contains("virtual size: 10 MiB") && info.contains("cluster_size: 512")
        && info.contains("compat: 0.10"), info);

    Path v3 = dir.resolve("v3.qcow2");
    try (FileSystem fs = open(v3, Map.of("create", "true", "size", 3 << 20, "refcountBits", 1,
        "compressionType", "zstd", "extendedL2", true, "clusterSize", "128k"))) {
      assertEquals(3L << 20, Files.size(fs.getPath("/disk")));
    }
    assertClean(v3);
    info = Qemu.img("info", v3.toString());
    assertTrue(info.contains("refcount bits: 1") && info.contains("compression type: zstd")
        && info.contains("extended l2: true") && info.contains("cluster_size: 131072"), info);

    // The core's refusals reach the caller as they are, and leave no file behind.
    Path bad = dir.resolve("bad.qcow2");
    IOException e = assertThrows(IOException.class, () -> open(bad, Map.of("create", "true",
        "size", "1M", "compat", "0.10", "refcountBits", "1")));
    assertTrue(e.getMessage().contains("refcount"), e.getMessage());
    assertFalse(Files.exists(bad));
  }

  /**
   * Runs a qemu tool in {@code dir}: QEMU opens a relative data-file name from its working
   * directory, where this library resolves it beside the image; in the image's directory the
   * two agree.
   */
  static String qemuIn(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    return out;
  }

  @Test
  void externalDataFileResolvesOnTheImagesOwnProvider() throws Exception {
    qemuIn(dir, "qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=ext.data",
        "ext.qcow2", "2M");
    qemuIn(dir, "qemu-io", "-c", "write -P 0x61 0 100k", "-c", "write -P 0x62 1M 5k",
        "ext.qcow2");
    qemuIn(dir, "qemu-img", "convert", "-O", "raw", "ext.qcow2", "ext.raw");
    byte[] expected = Files.readAllBytes(dir.resolve("ext.raw"));
    try (FileSystem jimfs = com.google.common.jimfs.Jimfs.newFileSystem(
        com.google.common.jimfs.Configuration.unix())) {
      Path vm = Files.createDirectories(jimfs.getPath("/vm"));
      Files.copy(dir.resolve("ext.qcow2"), vm.resolve("ext.qcow2"));
      Files.copy(dir.resolve("ext.data"), vm.resolve("ext.data"));
      try (FileSystem fs = FileSystems.newFileSystem(vm.resolve("ext.qcow2"), Map.of())) {
        Path disk = fs.getPath("/disk");
        assertArrayEquals(expected, readAll(disk));
        assertEquals("ext.data", Files.readAttributes(disk, "qcow2:dataFile").get("dataFile"));
        ContractSuite.assumeWritable(fs);
        Files.write(disk, new byte[] {7, 7}, StandardOpenOption.WRITE);
        expected[0] = 7;
        expected[1] = 7;
        assertArrayEquals(expected, readAll(disk));
      }
      assertEquals(7, Files.readAllBytes(vm.resolve("ext.data"))[0]); // the data went there
      Files.copy(vm.resolve("ext.qcow2"), dir.resolve("ext.qcow2"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(vm.resolve("ext.data"), dir.resolve("ext.data"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    qemuIn(dir, "qemu-img", "convert", "-O", "raw", "ext.qcow2", "ext2.raw");
    assertArrayEquals(expected, Files.readAllBytes(dir.resolve("ext2.raw")));
    String check = qemuIn(dir, "qemu-img", "check", "ext.qcow2");
    assertTrue(check.contains("No errors were found"), check);
  }
}
