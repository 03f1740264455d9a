package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.testing.Qemu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Tag;

/**
 * {@code qcow2 info} against {@code qemu-img info} on images qemu-img made, in every output mode:
 * the two outputs must be equal, byte for byte. Nothing is normalised: file names are passed to
 * both as the same absolute paths, both read the disk size from the file's allocated blocks and
 * both show dates in the local time zone.
 */
@Tag("qemu")
class InfoAgainstQemuTest {
  @TempDir static Path dir;

  private static final List<String> IMAGES = List.of(
      "plain.qcow2", "v2.qcow2", "zstd-extl2.qcow2", "small-clusters.qcow2", "datafile.qcow2",
      "datafile-raw.qcow2", "datafile-gone.qcow2", "dirty.qcow2", "corrupt.qcow2", "bitmaps.qcow2", "top.qcow2",
      "sub/mid.qcow2", "sub/base.raw", "probed.qcow2", "odd.raw", "empty-v2-backing.qcow2",
      "vmstate.qcow2", "luks.qcow2", "aes.qcow2", "luks-twofish.qcow2");

  private static final List<String[]> MODES = List.of(
      new String[] {}, new String[] {"--output=json"}, new String[] {"--backing-chain"},
      new String[] {"--backing-chain", "--output=json"});

  @BeforeAll
  static void makeImages() throws IOException {
    if (!qemuAvailable()) {
      return;
    }
    Path plain = img("plain.qcow2");
    Qemu.img("create", "-f", "qcow2", plain.toString(), "1G");
    Qemu.io(plain, "write -P 0x11 0 64k", "write -z 1M 64k");
    Qemu.img("snapshot", "-c", "snap1", plain.toString());
    Qemu.io(plain, "write -P 0x22 128k 64k");
    Qemu.img("snapshot", "-c", "second snap", plain.toString());
    Qemu.img("snapshot", "-c", "a-snapshot-name-much-longer-than-its-column", plain.toString());
    // Non-ASCII and control characters: printf pads by bytes, JSON escapes them.
    snapshotNamed(plain, "ab\u00e9\u0001\"\\/\u007f\u20ac");

    Path v2 = img("v2.qcow2");
    Qemu.img("create", "-f", "qcow2", "-o", "compat=0.10", v2.toString(), "10M");
    Qemu.io(v2, "write -P 1 0 4k");
    Qemu.img("snapshot", "-c", "s1", v2.toString());

    Qemu.img("create", "-f", "qcow2", "-o", "compression_type=zstd,extended_l2=on,"
        + "cluster_size=128k,lazy_refcounts=on,refcount_bits=64", img("zstd-extl2.qcow2")
        .toString(), "1500M");
    Qemu.img("create", "-f", "qcow2", "-o", "cluster_size=512,refcount_bits=1",
        img("small-clusters.qcow2").toString(), "1000K");

    // qemu-img creates a relative data file in its working directory: name it absolutely.
    Qemu.img("create", "-f", "qcow2", "-o", "data_file=" + img("datafile.bin"),
        img("datafile.qcow2").toString(), "64M");
    Qemu.img("create", "-f", "qcow2", "-o", "data_file=" + img("datafile-raw.bin")
        + ",data_file_raw=on", img("datafile-raw.qcow2").toString(), "3G");
    // A data file that is missing: qemu-img info still reports the image.
    Qemu.img("create", "-f", "qcow2", "-o", "data_file=" + img("gone.bin"),
        img("datafile-gone.qcow2").toString(), "1M");
    Files.delete(img("gone.bin"));

    Path dirty = img("dirty.qcow2");
    Qemu.img("create", "-f", "qcow2", "-o", "lazy_refcounts=on", dirty.toString(), "64M");
    Qemu.ioThenCrash(dirty, "write 0 64k");

    Path corrupt = img("corrupt.qcow2");
    Qemu.img("create", "-f", "qcow2", corrupt.toString(), "64M");
    // Incompatible feature bit 1 (corrupt): the last byte of the big-endian field at 72.
    try (FileChannel ch = FileChannel.open(corrupt, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {2}), 79);
    }

    Path bitmaps = img("bitmaps.qcow2");
    Qemu.img("create", "-f", "qcow2", bitmaps.toString(), "64M");
    Qemu.img("bitmap", "--add", bitmaps.toString(), "b0");
    Qemu.img("bitmap", "--add", "-g", "128k", "--disable", bitmaps.toString(), "second");
    Qemu.ioThenCrash(bitmaps, "write 0 64k");

    // A chain across directories: top.qcow2 -> sub/mid.qcow2 -> sub/base.raw (relative names).
    Files.createDirectories(dir.resolve("sub"));
    Qemu.img("create", "-f", "raw", img("sub/base.raw").toString(), "2M");
    Qemu.img("create", "-f", "qcow2", "-b", "base.raw", "-F", "raw",
        img("sub/mid.qcow2").toString());
    Qemu.io(img("sub/mid.qcow2"), "write -P 3 0 4k");
    Qemu.img("create", "-f", "qcow2", "-b", "sub/mid.qcow2", "-F", "qcow2",
        img("top.qcow2").toString(), "3M");

    // No backing format recorded: the chain's format is probed. qemu-img 7.2 refuses to create
    // such an image, so hide the format extension under an unknown type that QEMU ignores.
    Path probed = img("probed.qcow2");
    Qemu.img("create", "-f", "qcow2", "-b", "plain.qcow2", "-F", "qcow2", probed.toString());
    hideBackingFormat(probed);

    Files.write(img("odd.raw"), new byte[1000]);

    makeVmStateImage();

    // Encrypted images: info shows their metadata and LUKS header without a key.
    String secret = "secret,id=s0,data=password";
    Qemu.img("create", "--object", secret, "-f", "qcow2", "-o",
        "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10",
        img("luks.qcow2").toString(), "1M");
    Qemu.img("create", "--object", secret, "-f", "qcow2", "-o",
        "encrypt.format=aes,encrypt.key-secret=s0", img("aes.qcow2").toString(), "1M");
    Qemu.img("create", "--object", secret, "-f", "qcow2", "-b", "plain.qcow2", "-F",
        "qcow2", "-o", "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10,"
            + "encrypt.cipher-alg=twofish-128,encrypt.cipher-mode=cbc,encrypt.ivgen-alg=essiv,"
            + "encrypt.ivgen-hash-alg=sha256,encrypt.hash-alg=sha512,data_file="
            + img("luks-twofish.bin"), img("luks-twofish.qcow2").toString(), "1M");

    Path v2Backed = img("empty-v2-backing.qcow2");
    Qemu.img("create", "-f", "qcow2", "-o", "compat=0.10", "-b", "v2.qcow2", "-F", "qcow2",
        v2Backed.toString(), "20M");
  }

  /**
   * Snapshots as a VM would leave them (qemu-img alone cannot): VM state sizes, VM clocks past
   * 99 hours, and one entry without an instruction count. Patched into qemu-img's snapshot table.
   */
  private static void makeVmStateImage() throws IOException {
    Path image = img("vmstate.qcow2");
    Qemu.img("create", "-f", "qcow2", image.toString(), "1M");
    Qemu.img("snapshot", "-c", "one", image.toString());
    Qemu.img("snapshot", "-c", "two", image.toString());
    long[] clocks = {90_061_123_456_789L, 540_000_000_000_000L};
    long[] vmState = {123_456_789L, 5L << 30};
    long[] icounts = {-1, 12_345};
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer header = ByteBuffer.allocate(72);
      ch.read(header, 0);
      long p = header.getLong(64);
      for (int i = 0; i < header.getInt(60); i++) {
        ByteBuffer entry = ByteBuffer.allocate(64);
        ch.read(entry, p);
        int extra = entry.getInt(36);
        assertEquals(24, extra, "qemu-img 7.2 writes 24 bytes of snapshot extra data");
        entry.putLong(24, clocks[i]).putInt(32, (int) vmState[i]).putLong(40, vmState[i])
            .putLong(56, icounts[i]);
        ch.write(entry.position(24).limit(64), p + 24);
        int length = 40 + extra + entry.getShort(12) + entry.getShort(14);
        p += (length + 7) & ~7;
      }
    }
    String shown = Qemu.img("info", image.toString());
    assertTrue(shown.contains(" 25:01:01.123 ") && shown.contains("150:00:00.000      12345"),
        "the patched snapshots are not what qemu-img shows:\n" + shown);
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (String image : IMAGES) {
      for (String[] mode : MODES) {
        cases.add(Arguments.of(image, String.join(" ", mode)));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void printsWhatQemuImgPrints(String image, String mode) throws IOException {
    Qemu.assumeAvailable();
    List<String> args = new ArrayList<>(List.of("info"));
    if (!mode.isEmpty()) {
      args.addAll(List.of(mode.split(" ")));
    }
    args.add(img(image).toString());
    String expected = Qemu.img(args.toArray(String[]::new));
    ToolRun run = ToolRun.of(args.toArray(String[]::new));
    assertEquals("", run.err());
    assertEquals(0, run.status());
    assertEquals(expected, run.out());
  }

  @Test
  void virtualSizesInQemuImgStyle() throws IOException {
    Qemu.assumeAvailable();
    // Sizes around every unit switch (1000 of a unit is shown in the next one) and rounding
    // edges of the three significant digits.
    long[] sizes = {512, 1024, 999 * 1024, 1000 * 1024 - 512, 1000 * 1024, 1023 * 1024,
        1024 * 1024 - 512, 1024 * 1024, 1_572_864_000L, 999L << 20, (1000L << 20) - 512,
        1000L << 20, (1L << 30) - 512, 1L << 30, 10_000L << 20, 1L << 40, 1000L << 40,
        (1L << 50) - (1L << 30), 1L << 50, 1_234_567_680L, 5_000_000_000L - 512};
    for (long size : sizes) {
      Path p = dir.resolve("size-" + size + ".qcow2");
      Qemu.img("create", "-f", "qcow2", "-o", "cluster_size=2M", p.toString(),
          Long.toString(size));
      String expected = Qemu.img("info", p.toString());
      assertEquals(expected, ToolRun.of("info", p.toString()).out(), "size " + size);
      Files.delete(p);
    }
  }

  private static void snapshotNamed(Path image, String name) throws IOException {
    // Through a script, so that the name reaches qemu-img as UTF-8 whatever the JVM's locale.
    Path script = dir.resolve("snapshot.sh");
    Files.write(script, ("exec qemu-img snapshot -c '" + name + "' '" + image + "'\n")
        .getBytes(StandardCharsets.UTF_8));
    Qemu.Result r = Qemu.run("sh", script.toString());
    assertEquals(0, r.exitCode(), r.stderr());
  }

  private static void hideBackingFormat(Path image) throws IOException {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer cluster0 = ByteBuffer.allocate(4096);
      ch.read(cluster0, 0);
      for (int p = 112; p + 4 <= 4096; p += 8) {
        if (cluster0.getInt(p) == 0xE2792ACA) {
          ch.write(ByteBuffer.allocate(4).putInt(0, 0x7E57AB1E), p);
          return;
        }
      }
    }
    throw new IOException("no backing format extension in " + image);
  }

  private static Path img(String name) {
    return dir.resolve(name);
  }

  private static boolean qemuAvailable() {
    try {
      return Qemu.run("qemu-img", "--version").exitCode() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
