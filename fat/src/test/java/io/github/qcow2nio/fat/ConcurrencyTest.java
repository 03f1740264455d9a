package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One file, one channel, many threads: each writes its own stripes positionally (growing the
 * file as it goes) while the others read theirs back. The result is the stripes, whatever the
 * interleaving.
 */
class ConcurrencyTest {
  @TempDir Path tmp;

  @Test
  void positionalStripesFromManyThreads() throws Exception {
    Path img = Volumes.format(tmp.resolve("c.img"), 40L << 20, FatType.FAT32,
        FormatOptions.defaults().withSectorsPerCluster(1));
    int threads = 4;
    int stripe = 700;
    int rounds = 60;
    try (FileSystem fs = FileSystems.newFileSystem(img);
        FileChannel ch = FileChannel.open(fs.getPath("/striped"), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        ts.add(new Thread(() -> {
          try {
            for (int r = 0; r < rounds; r++) {
              long at = ((long) r * threads + id) * stripe;
              byte[] b = new byte[stripe];
              java.util.Arrays.fill(b, (byte) (id + 1));
              ch.write(ByteBuffer.wrap(b), at);
              ByteBuffer back = ByteBuffer.allocate(stripe);
              while (back.hasRemaining() && ch.read(back, at + back.position()) > 0) {
                // positional reads may be short
              }
              assertArrayEquals(b, back.array(), "thread " + id + " round " + r);
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        }));
      }
      ts.forEach(Thread::start);
      for (Thread t : ts) {
        t.join();
      }
      assertEquals(List.of(), errors);
      assertEquals((long) rounds * threads * stripe, ch.size());
    }
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      byte[] all = Files.readAllBytes(fs.getPath("/striped"));
      for (int i = 0; i < all.length; i++) {
        assertEquals((byte) ((i / stripe) % threads + 1), all[i], "byte " + i);
      }
    }
    Tools.assume("fsck.fat");
    Tools.assertFsckClean(img);
  }
}
