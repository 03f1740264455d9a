package io.github.qcow2nio.examples;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How many bytes a file occupies on its host storage: qemu-img's "disk size".
 *
 * <p>qemu-img reports allocated blocks (st_blocks × 512), which for sparse images is far less than
 * the file's length. The JDK exposes no block count, so on the default file system of a Linux or
 * other POSIX host this asks {@code stat(1)} for it; everywhere else (other providers, no
 * {@code stat}, any failure) it reports the file's length, which is what the file would occupy
 * without holes.
 */
public interface HostAllocation {

  /** Bytes allocated to the file at {@code path}, or -1 when unknown. */
  long allocatedBytes(Path path) throws IOException;

  /** The file's length: exact for non-sparse files, an upper bound otherwise. */
  static HostAllocation fileLength() {
    return Files::size;
  }

  /** Allocated blocks from {@code stat -L -c %b}, falling back to the file's length. */
  static HostAllocation allocatedBlocks() {
    return path -> {
      if (path.getFileSystem() == FileSystems.getDefault()) {
        long blocks = statBlocks(path);
        if (blocks >= 0) {
          return blocks * 512;
        }
      }
      return Files.size(path);
    };
  }

  /** The 512-byte block count {@code stat} reports, or -1 when it cannot tell. */
  private static long statBlocks(Path path) {
    // %b counts units of %B bytes; GNU and busybox stat both use 512 there, and st_blocks is
    // defined in 512-byte units on Linux. Check rather than assume.
    ProcessBuilder pb = new ProcessBuilder(
        List.of("stat", "-L", "-c", "%b %B", "--", path.toAbsolutePath().toString()));
    pb.redirectErrorStream(true);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readNBytes(256), StandardCharsets.US_ASCII).trim();
      }
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      if (p.exitValue() != 0) {
        return -1;
      }
      String[] parts = out.split(" ");
      if (parts.length != 2) {
        return -1;
      }
      long count = Long.parseLong(parts[0]);
      long unit = Long.parseLong(parts[1]);
      return count * unit / 512;
    } catch (IOException | NumberFormatException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
