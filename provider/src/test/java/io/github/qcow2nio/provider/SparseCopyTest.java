package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.qcow2nio.format.testing.Processes;
import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.provider.testing.ForeignCopy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Block status from {@code /disk} and copies through plain NIO that stay sparse both ways:
 * {@code transferTo} into a file leaves holes, {@code transferFrom} and
 * {@code Files.copy(file, /disk, REPLACE_EXISTING)} store no zero blocks; images are created
 * from a Path without the zip provider's detour.
 */
class SparseCopyTest {
  private static final int MIB = 1 << 20;
  @TempDir Path dir;

  /** 16 MiB with data at 1 MiB (64 KiB), 9 MiB (4 KiB + 100 bytes) and the last 512 bytes. */
  private Path image() throws IOException {
    Path image = dir.resolve("vm.qcow2");
    try (Qcow2FileSystem fs = Qcow2FileSystems.create(image, Map.of("size", "16M"));
        FileChannel ch = FileChannel.open(fs.getPath("/disk"), StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(pattern(65536, 1)), MIB);
      ch.write(ByteBuffer.wrap(pattern(4196, 2)), 9 * MIB);
      ch.write(ByteBuffer.wrap(pattern(512, 3)), 16 * MIB - 512);
      // Zeros written over nothing store nothing.
      ch.write(ByteBuffer.allocate(2 * MIB), 4 * MIB);
    }
    return image;
  }

  @Test
  void blockStatusIsReachedByCastingTheChannel() throws IOException {
    Path image = image();
    try (Qcow2FileSystem fs = Qcow2FileSystems.open(image, Map.of("accessMode", "readOnly"));
        FileChannel ch = FileChannel.open(fs.getPath("/disk"))) {
      BlockStatusChannel status = (BlockStatusChannel) ch;
      List<long[]> data = new ArrayList<>();
      for (long at = 0; at < ch.size(); ) {
        DiskExtent e = status.blockStatus(at, ch.size() - at);
        assertEquals(e.data(), !e.zero(), e.toString());
        if (e.data()) {
          data.add(new long[] {e.start(), e.length()});
        }
        at = e.end();
      }
      // 64 KiB clusters: each written range is one cluster of data.
      assertEquals(3, data.size());
      assertArrayEquals(new long[] {MIB, 65536}, data.get(0));
      assertArrayEquals(new long[] {9 * MIB, 65536}, data.get(1));
      assertArrayEquals(new long[] {16 * MIB - 65536, 65536}, data.get(2));
      assertThrows(IllegalArgumentException.class, () -> status.blockStatus(16 * MIB, 1));
    }
  }

  @Test
  void transferToLeavesHolesInTheTargetFile() throws IOException {
    Path image = image();
    Path raw = dir.resolve("out.raw");
    try (Qcow2FileSystem fs = Qcow2FileSystems.open(image, Map.of("accessMode", "readOnly"));
        FileChannel in = FileChannel.open(fs.getPath("/disk"));
        FileChannel out = FileChannel.open(raw, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
      long done = 0;
      while (done < in.size()) {
        done += in.transferTo(done, in.size() - done, out);
      }
    }
    assertEquals(16 * MIB, Files.size(raw));
    byte[] bytes = Files.readAllBytes(raw);
    assertArrayEquals(pattern(65536, 1), slice(bytes, MIB, 65536));
    assertArrayEquals(pattern(4196, 2), slice(bytes, 9 * MIB, 4196));
    assertArrayEquals(pattern(512, 3), slice(bytes, 16 * MIB - 512, 512));
    long nonZero = 0;
    for (byte b : bytes) {
      nonZero += b != 0 ? 1 : 0;
    }
    assertEquals(65536 + 4196 + 512, nonZero);
    long allocated = allocatedBytes(raw);
    if (allocated >= 0) {
      // Only the data's blocks, not the 16 MiB: at most the data rounded up to 64 KiB clusters.
      assertTrue(allocated <= 3 * 65536, "allocated " + allocated);
    }
  }

  /**
   * {@code Files.copy(/disk, file)} to the default provider: the JDK copies between providers
   * through {@code Files.newInputStream(/disk).transferTo(the file's stream)}, and from JDK 18 on
   * that stream hands the copy to /disk's {@code FileChannel.transferTo}, which leaves holes.
   * JDK 17's stream copies 8 KiB buffers and cannot skip anything, so under 17 the copy is made
   * by a newer JDK installed beside this one (skipped where there is none).
   */
  @Test
  void filesCopyToTheDefaultProviderKeepsHoles() throws IOException {
    Path image = image();
    Path raw = dir.resolve("copied.raw");
    if (Runtime.version().feature() >= 18) {
      ForeignCopy.copy(image, raw);
    } else {
      Path java = ForeignCopy.javaOfAtLeast(18);
      assumeTrue(java != null, "no JDK 18 or later beside " + System.getProperty("java.home"));
      Processes.Result r = Processes.run(List.of(java.toString(), "-cp",
          ForeignCopy.classPath(), ForeignCopy.class.getName(), image.toString(),
          raw.toString()), null, null, Duration.ofMinutes(2));
      assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    }
    byte[] disk;
    try (Qcow2FileSystem fs = Qcow2FileSystems.open(image, Map.of("accessMode", "readOnly"))) {
      disk = Files.readAllBytes(fs.getPath("/disk"));
    }
    assertEquals(16 * MIB, Files.size(raw));
    assertArrayEquals(disk, Files.readAllBytes(raw));
    long allocated = allocatedBytes(raw);
    assumeTrue(allocated >= 0, "stat cannot tell the file's blocks here");
    // The data's blocks (three 64 KiB clusters at most), not the 16 MiB.
    assertTrue(allocated <= 3 * 65536, "allocated " + allocated);
  }

  @Test
  void transferFromAndFilesCopyStoreNoZeros() throws IOException {
    Path raw = dir.resolve("in.raw");
    try (FileChannel f = FileChannel.open(raw, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      f.write(ByteBuffer.wrap(pattern(3 * 65536, 5)), 2 * MIB);
      f.write(ByteBuffer.wrap(pattern(700, 6)), 7 * MIB + 4096);
      f.write(ByteBuffer.allocate(4096), 12 * MIB - 4096);
    }
    Path image = dir.resolve("imported.qcow2");
    try (Qcow2FileSystem fs = Qcow2FileSystems.create(image, Map.of("size", "12M"))) {
      Path disk = fs.getPath("/disk");
      try (FileChannel in = FileChannel.open(raw);
          FileChannel out = FileChannel.open(disk, StandardOpenOption.WRITE)) {
        long done = 0;
        while (done < in.size()) {
          done += out.transferFrom(in, done, in.size() - done);
        }
      }
      assertEquals(4 * 65536, dataBytes(disk));
      assertArrayEquals(Files.readAllBytes(raw), Files.readAllBytes(disk));

      // Files.copy from another provider deletes the target first: that empties the disk.
      Files.copy(raw, disk, StandardCopyOption.REPLACE_EXISTING);
      assertEquals(Files.size(raw), Files.size(disk));
      assertArrayEquals(Files.readAllBytes(raw), Files.readAllBytes(disk));
      assertEquals(4 * 65536, dataBytes(disk));
      assertThrows(FileAlreadyExistsException.class, () -> Files.copy(raw, disk));

      // Deleting /disk empties it; only the next CREATE_NEW open may then make it anew.
      Files.delete(disk);
      assertEquals(0, Files.size(disk));
      Files.createFile(disk);
      assertThrows(FileAlreadyExistsException.class, () -> Files.createFile(disk));
      Files.copy(raw, disk, StandardCopyOption.REPLACE_EXISTING);
      assertArrayEquals(Files.readAllBytes(raw), Files.readAllBytes(disk));
    }
    if (Qemu.available()) {
      Qemu.Result check = Qemu.run("qemu-img", "check", image.toString());
      assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
      Qemu.Result same = Qemu.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2",
          raw.toString(), image.toString());
      assertEquals(0, same.exitCode(), same.stdout() + same.stderr());
    }
  }

  @Test
  void createNeverFallsIntoTheZipProvider() throws IOException {
    Path image = dir.resolve("new.qcow2");
    try (Qcow2FileSystem fs = Qcow2FileSystems.create(image, Map.of("size", "1M"))) {
      assertEquals(MIB, Files.size(fs.getPath("/disk")));
    }
    try (InputStream in = Files.newInputStream(image)) {
      assertArrayEquals("QFI\u00fb".getBytes(StandardCharsets.ISO_8859_1), in.readNBytes(4));
    }
    assertThrows(FileAlreadyExistsException.class,
        () -> Qcow2FileSystems.create(image, Map.of("size", "1M")));
    assertFalse(Files.exists(dir.resolve("absent.qcow2")));
    assertThrows(java.nio.file.NoSuchFileException.class,
        () -> Qcow2FileSystems.open(dir.resolve("absent.qcow2"), Map.of()));
  }

  @Tag("qemu")
  @Test
  void blockStatusAgreesWithQemuImgMap() throws IOException {
    Qemu.assumeAvailable();
    Path base = dir.resolve("base.qcow2");
    Qemu.img("create", "-f", "qcow2", base.toString(), "4M");
    Qemu.io(base, "write -P 1 0 64k", "write -P 2 1M 128k", "write -z 2M 64k");
    Path top = dir.resolve("top.qcow2");
    Qemu.img("create", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", top.toString());
    Qemu.io(top, "write -P 3 64k 64k", "write -z 1M 64k", "write -c -P 4 3M 64k");
    String map = Qemu.ok("qemu-img", "map", "--output=json", top.toString());
    StringBuilder ours = new StringBuilder();
    try (Qcow2FileSystem fs = Qcow2FileSystems.open(top, Map.of("accessMode", "readOnly"));
        FileChannel ch = FileChannel.open(fs.getPath("/disk"))) {
      for (long at = 0; at < ch.size(); ) {
        DiskExtent e = ((BlockStatusChannel) ch).blockStatus(at, ch.size() - at);
        ours.append(String.format("\"start\": %d, \"length\": %d, \"depth\": %d, "
            + "\"present\": %b, \"zero\": %b, \"data\": %b%n", e.start(), e.length(),
            e.depth(), e.present(), e.zero(), e.data()));
        at = e.end();
      }
    }
    StringBuilder theirs = new StringBuilder();
    for (String line : map.split("\n")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile(
          "\"start\": \\d+, \"length\": \\d+, \"depth\": \\d+, \"present\": \\w+, "
              + "\"zero\": \\w+, \"data\": \\w+").matcher(line);
      assertTrue(m.find(), line);
      theirs.append(m.group()).append(System.lineSeparator());
    }
    assertEquals(theirs.toString(), ours.toString());
  }

  /**
   * Writes of zeros take the write-zeros path: seeded writes, a third of them all zeros, at
   * unaligned offsets over a backing file with data, read back against a byte model.
   */
  @Test
  void zeroWritesReadBackAsAModelSays() throws IOException {
    Path base = dir.resolve("base.qcow2");
    byte[] model = new byte[4 * MIB];
    Random r = new Random(77);
    try (Qcow2FileSystem fs = Qcow2FileSystems.create(base, Map.of("size", "4M",
        "clusterSize", "4k"))) {
      r.nextBytes(model);
      Files.write(fs.getPath("/disk"), model, StandardOpenOption.WRITE);
    }
    Path top = dir.resolve("top.qcow2");
    try (Qcow2FileSystem fs = Qcow2FileSystems.create(top, Map.of("size", "5M",
        "backingFile", "base.qcow2", "backingFormat", "qcow2"));
        FileChannel ch = FileChannel.open(fs.getPath("/disk"), StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      model = java.util.Arrays.copyOf(model, 5 * MIB);
      for (int i = 0; i < 300; i++) {
        int len = 1 + r.nextInt(i % 10 == 0 ? 200_000 : 9000);
        int at = r.nextInt(model.length - len);
        byte[] b = new byte[len];
        if (i % 3 != 0) {
          r.nextBytes(b);
        }
        ch.write(ByteBuffer.wrap(b), at);
        System.arraycopy(b, 0, model, at, len);
      }
      byte[] back = new byte[model.length];
      ch.read(ByteBuffer.wrap(back), 0);
      assertArrayEquals(model, back);
    }
    if (Qemu.available()) {
      Qemu.Result check = Qemu.run("qemu-img", "check", top.toString());
      assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
      Path raw = dir.resolve("model.raw");
      Files.write(raw, model);
      Qemu.Result same = Qemu.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2",
          raw.toString(), top.toString());
      assertEquals(0, same.exitCode(), same.stdout() + same.stderr());
    }
  }

  private static long dataBytes(Path disk) throws IOException {
    try (FileChannel ch = FileChannel.open(disk)) {
      long data = 0;
      for (long at = 0; at < ch.size(); ) {
        DiskExtent e = ((BlockStatusChannel) ch).blockStatus(at, ch.size() - at);
        data += e.data() ? e.length() : 0;
        at = e.end();
      }
      return data;
    }
  }

  /** The file's allocated bytes from {@code stat}, or -1 where it cannot tell. */
  private static long allocatedBytes(Path file) {
    try {
      Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return -1;
      }
      String[] parts = out.trim().split(" ");
      return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
    } catch (IOException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static byte[] pattern(int length, int seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    for (int i = 0; i < length; i++) {
      if (b[i] == 0) {
        b[i] = 1;
      }
    }
    return b;
  }

  private static byte[] slice(byte[] b, int from, int length) {
    byte[] s = new byte[length];
    System.arraycopy(b, from, s, 0, length);
    return s;
  }
}
