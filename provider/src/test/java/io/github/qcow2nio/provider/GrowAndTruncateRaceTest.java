package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.testing.Qemu;
import io.github.qcow2nio.format.testing.QemuImg;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write past the end grows the disk and writes as one step: a truncate from another thread can
 * come before or after it, never between (the write then fell past the new end and failed with
 * an IllegalArgumentException).
 */
class GrowAndTruncateRaceTest {
  @TempDir Path dir;

  @Test
  void writesPastTheEndRaceTruncates() throws Exception {
    Path image = dir.resolve("race.qcow2");
    URI uri = URI.create("qcow2:" + image.toUri());
    try (FileSystem fs = FileSystems.newFileSystem(uri,
        Map.of("create", "true", "size", "1M", "clusterSize", "4k"));
        FileChannel writer = FileChannel.open(fs.getPath("/disk"), StandardOpenOption.WRITE);
        FileChannel truncater = FileChannel.open(fs.getPath("/disk"), StandardOpenOption.WRITE)) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      CountDownLatch start = new CountDownLatch(1);
      int rounds = 4000;
      Thread t = new Thread(() -> {
        try {
          start.await();
          for (int i = 0; i < rounds && failure.get() == null; i++) {
            truncater.truncate(512L * (i % 64));
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      t.start();
      start.countDown();
      ByteBuffer b = ByteBuffer.allocate(4096);
      for (int i = 0; i < rounds && failure.get() == null; i++) {
        try {
          // Past the end of any size the truncater sets: always a growing write.
          writer.write(b.clear(), (64L << 10) + 4096L * (i % 16));
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }
      t.join();
      assertEquals(null, failure.get(), () -> "a write or truncate failed: " + failure.get());
    }
    if (Qemu.available()) {
      QemuImg.Check check = QemuImg.check(image);
      assertTrue(check.consistent(false), check.output());
    }
  }
}
