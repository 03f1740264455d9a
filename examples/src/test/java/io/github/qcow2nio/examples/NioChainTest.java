package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain in plain NIO, each layer found by {@code FileSystems.newFileSystem(Path)}: a
 * qcow2 image (compressed by qemu-img) whose disk sfdisk partitioned, with a FAT file system made
 * by mkfs.fat and filled by mcopy in partition 1 and an ext4 file system made by mkfs.ext4 -d in
 * partition 2. Files read as the tools wrote them; a file written through the chain is read back
 * by mtools, and the FAT file system passes fsck.fat.
 */
@Tag("qemu")
class NioChainTest {
  private static final long SECTOR = 512;
  private static final long P1_START = 2048;
  private static final long P1_SECTORS = 32768; // 16 MiB
  private static final long P2_START = P1_START + P1_SECTORS;
  private static final long P2_SECTORS = 94208; // 46 MiB
  private static final long DISK = 64L << 20;

  @TempDir Path dir;

  private static boolean has(String tool) {
    for (String d : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private static String sbin(String tool) {
    return Files.isExecutable(Path.of("/usr/sbin", tool)) ? "/usr/sbin/" + tool : tool;
  }

  private static Qemu.Result ok(List<String> cmd) throws IOException {
    Qemu.Result r = Qemu.run(cmd);
    assertEquals(0, r.exitCode(), cmd + "\n" + r.stdout() + r.stderr());
    return r;
  }

  private static void copyInto(Path target, Path part, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "rw")) {
      f.seek(offset);
      f.write(Files.readAllBytes(part));
    }
  }

  private static byte[] extract(Path disk, long offset, long length) throws IOException {
    byte[] b = new byte[(int) length];
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "r")) {
      f.seek(offset);
      f.readFully(b);
    }
    return b;
  }

  @Test
  void qcow2ThenGptThenFatAndExt4() throws IOException {
    Qemu.assumeAvailable();
    for (String tool : List.of("sfdisk", "mkfs.fat", "mcopy", "mtype", "fsck.fat", "mkfs.ext4")) {
      assumeTrue(has(tool), tool + " is not installed");
    }
    Path raw = dir.resolve("disk.raw");
    try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
      f.setLength(DISK);
    }
    Path script = dir.resolve("layout");
    Files.writeString(script, "label: gpt\n"
        + "start=" + P1_START + ", size=" + P1_SECTORS + ", type=U\n"
        + "start=" + P2_START + ", size=" + P2_SECTORS + ", type=L\n");
    ok(List.of("sh", "-c", sbin("sfdisk") + " -q " + raw + " < " + script));

    byte[] hello = "hello from mcopy\n".getBytes(StandardCharsets.US_ASCII);
    Path fat = dir.resolve("p1.img");
    ok(List.of(sbin("mkfs.fat"), "-F", "16", "-n", "ESP", "-C", fat.toString(),
        Long.toString(P1_SECTORS * SECTOR / 1024)));
    Path helloFile = dir.resolve("hello.txt");
    Files.write(helloFile, hello);
    ok(List.of("env", "MTOOLS_SKIP_CHECK=1", "mcopy", "-i", fat.toString(),
        helloFile.toString(), "::/HELLO.TXT"));
    copyInto(raw, fat, P1_START * SECTOR);

    Path tree = Files.createDirectories(dir.resolve("tree/etc"));
    byte[] hostname = "chain-test\n".getBytes(StandardCharsets.US_ASCII);
    Files.write(tree.resolve("hostname"), hostname);
    Path ext4 = dir.resolve("p2.img");
    try (RandomAccessFile f = new RandomAccessFile(ext4.toFile(), "rw")) {
      f.setLength(P2_SECTORS * SECTOR);
    }
    ok(List.of(sbin("mkfs.ext4"), "-q", "-F", "-d", dir.resolve("tree").toString(),
        ext4.toString()));
    copyInto(raw, ext4, P2_START * SECTOR);

    Path image = dir.resolve("disk.qcow2");
    Qemu.img("convert", "-c", "-O", "qcow2", raw.toString(), image.toString());

    // Read: three lines of plain NIO to each file system.
    try (FileSystem qcow2 = FileSystems.newFileSystem(image, Map.of("accessMode", "readOnly"));
        FileSystem parts = FileSystems.newFileSystem(qcow2.getPath("/disk"),
            Map.of("accessMode", "readOnly"));
        FileSystem esp = FileSystems.newFileSystem(parts.getPath("/1"));
        FileSystem root = FileSystems.newFileSystem(parts.getPath("/2"))) {
      assertArrayEquals(hello, Files.readAllBytes(esp.getPath("/hello.txt")));
      assertArrayEquals(hostname, Files.readAllBytes(root.getPath("/etc/hostname")));
    }

    // Write through the chain, then let the tools judge the result.
    byte[] written = "written through qcow2, gpt and fat\n".getBytes(StandardCharsets.US_ASCII);
    try (FileSystem qcow2 = FileSystems.newFileSystem(image);
        FileSystem parts = FileSystems.newFileSystem(qcow2.getPath("/disk"));
        FileSystem esp = FileSystems.newFileSystem(parts.getPath("/1"))) {
      Files.createDirectories(esp.getPath("/EFI/BOOT"));
      Files.write(esp.getPath("/EFI/BOOT/notes.txt"), written, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
    }
    ok(List.of("qemu-img", "check", image.toString()));
    Path back = dir.resolve("back.raw");
    Qemu.img("convert", "-O", "raw", image.toString(), back.toString());
    Path p1 = dir.resolve("back-p1.img");
    Files.write(p1, extract(back, P1_START * SECTOR, P1_SECTORS * SECTOR));
    ok(List.of(sbin("fsck.fat"), "-n", p1.toString()));
    Qemu.Result typed = ok(List.of("env", "MTOOLS_SKIP_CHECK=1", "mtype", "-i", p1.toString(),
        "::/EFI/BOOT/notes.txt"));
    assertEquals(new String(written, StandardCharsets.US_ASCII), typed.stdout());
  }
}
