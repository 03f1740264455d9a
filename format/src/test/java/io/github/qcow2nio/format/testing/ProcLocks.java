package io.github.qcow2nio.format.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;

/**
 * The byte-range locks the kernel lists in /proc/locks for one file: QEMU's (OFD locks, of any
 * process) and this JVM's (POSIX locks carrying our pid). Only bytes 100..299, QEMU's lock bytes.
 */
public final class ProcLocks {
  private static final Path PROC_LOCKS = Path.of("/proc/locks");

  private ProcLocks() {}

  public static void assumeAvailable() {
    Assumptions.assumeTrue(Files.isReadable(PROC_LOCKS), "/proc/locks not readable");
  }

  /** Bytes locked on {@code file} with open-file-description locks (QEMU's kind). */
  public static SortedSet<Integer> ofd(Path file) throws IOException {
    return bytes(file, "OFDLCK", -1);
  }

  /** Bytes this process locks on {@code file} with POSIX locks ({@code FileChannel.lock}). */
  public static SortedSet<Integer> ours(Path file) throws IOException {
    return bytes(file, "POSIX", ProcessHandle.current().pid());
  }

  private static SortedSet<Integer> bytes(Path file, String kind, long pid) throws IOException {
    long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    SortedSet<Integer> bytes = new TreeSet<>();
    List<String> lines = Files.readAllLines(PROC_LOCKS);
    for (String line : lines) {
      String[] t = line.trim().split("\\s+");
      // "N: KIND ADVISORY READ|WRITE PID MAJ:MIN:INODE START END"; waiters carry "->".
      if (t.length < 8 || line.contains("->") || !t[1].equals(kind)) {
        continue;
      }
      String[] dev = t[5].split(":");
      if (dev.length != 3 || Long.parseLong(dev[2]) != inode) {
        continue;
      }
      if (pid >= 0 && Long.parseLong(t[4]) != pid) {
        continue;
      }
      long start = Long.parseLong(t[6]);
      long end = t[7].equals("EOF") ? 299 : Long.parseLong(t[7]);
      for (long b = Math.max(start, 100); b <= Math.min(end, 299); b++) {
        bytes.add((int) b);
      }
    }
    return bytes;
  }
}
