package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CheckOptions;
import io.github.qcow2nio.format.CheckOptions.Repair;
import io.github.qcow2nio.format.CheckResult;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.Qcow2Check;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.Damage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check without qemu-img: what each kind of damage must count (one leaked cluster is one
 * leak, one wrong flag one corruption), that {@code -r all} leaves nothing and keeps the guest
 * data, and the listener, cancellation and option rules of the library call.
 */
class CheckBasicsTest {
  @TempDir Path dir;

  private Path image() throws IOException {
    Path img = dir.resolve("img.qcow2");
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.builder(4 << 20)
        .clusterSize(4096).build())) {
      byte[] b = new byte[300_000];
      Arrays.fill(b, (byte) 7);
      image.disk().write(ByteBuffer.wrap(b), 12_345);
      image.disk().write(ByteBuffer.wrap(b), 2 << 20);
    }
    return img;
  }

  private static byte[] guest(Path img) throws IOException {
    try (Qcow2Image image = Qcow2Image.open(img)) {
      byte[] b = new byte[(int) image.disk().size()];
      image.disk().read(ByteBuffer.wrap(b), 0);
      return b;
    }
  }

  @Test
  void aCleanImageIsClean() throws IOException {
    CheckResult r = Qcow2Check.check(image(), CheckOptions.check());
    assertTrue(r.isClean(), r.toString());
    assertEquals(0, r.exitCode());
    assertEquals(1024, r.totalClusters());
    // 300,000 bytes from 12,345 touch clusters 3..76, and from 2 MiB clusters 512..585.
    assertEquals(74 + 74, r.allocatedClusters());
    // The last cluster may be written only up to its data: the end is the whole cluster.
    assertEquals((Files.size(dir.resolve("img.qcow2")) + 4095) / 4096 * 4096,
        r.imageEndOffset());
  }

  @Test
  void eachDamageCountsAsWhatItIs() throws IOException {
    Object[][] cases = {{Damage.LEAK, 0L, 1L, 3}, {Damage.REFCOUNT_HIGH, 1L, 1L, 2},
        {Damage.COPIED_L2, 1L, 0L, 2}, {Damage.COPIED_L1, 1L, 0L, 2},
        {Damage.RESERVED, 1L, 0L, 2}};
    for (Object[] c : cases) {
      Path img = image();
      byte[] before = guest(img);
      ((Damage) c[0]).apply(img);
      CheckResult r = Qcow2Check.check(img, CheckOptions.check());
      // A refcount one too high on an owned cluster is a leak, and its COPIED flag then lies.
      assertEquals(c[1], r.corruptions(), c[0] + " " + r);
      assertEquals(c[2], r.leaks(), c[0] + " " + r);
      assertEquals(c[3], r.exitCode(), c[0] + " " + r);
      if (c[0] != Damage.RESERVED) {
        CheckResult fixed = Qcow2Check.check(img, CheckOptions.repair(Repair.ALL));
        assertTrue(fixed.isClean(), c[0] + " " + fixed);
        // A flag that lied only because of a wrong refcount is right once the count is: as in
        // qemu-img, that is no repair of its own.
        assertEquals(r.leaks(), fixed.leaksFixed(), c[0] + " " + fixed);
        assertEquals(c[0] == Damage.REFCOUNT_HIGH ? 0 : r.corruptions(),
            fixed.corruptionsFixed(), c[0] + " " + fixed);
        assertTrue(Qcow2Check.check(img, CheckOptions.check()).isClean());
        assertTrue(Arrays.equals(before, guest(img)), c[0] + ": guest data changed");
      }
    }
  }

  @Test
  void aRebuiltRefcountStructureIsCleanAndKeepsTheData() throws IOException {
    Path img = image();
    byte[] before = guest(img);
    Damage.REFCOUNT_ZERO.apply(img);
    List<String> messages = new ArrayList<>();
    CheckResult r = Qcow2Check.check(img, CheckOptions.builder()
        .repair(Repair.ALL).messages(messages::add).build());
    assertTrue(messages.contains("Rebuilding refcount structure"), messages.toString());
    assertTrue(r.isClean(), r.toString());
    assertEquals(1, r.corruptionsFixed());
    assertTrue(Arrays.equals(before, guest(img)));
  }

  @Test
  void progressReachesTheEndAndCancellingStops() throws IOException {
    Path img = image();
    long[] last = {-1, -1};
    Qcow2Check.check(img, CheckOptions.builder().listener((done, total) -> {
      assertTrue(done > last[0] && done <= total, done + "/" + total);
      last[0] = done;
      last[1] = total;
    }).build());
    assertEquals(last[1], last[0]);
    assertThrows(InterruptedIOException.class,
        () -> Qcow2Check.check(img, CheckOptions.builder().cancelled(() -> true).build()));
  }

  @Test
  void forceShareIsForReadOnlyChecks() {
    assertThrows(IllegalArgumentException.class,
        () -> CheckOptions.builder().repair(Repair.LEAKS).forceShare(true).build());
  }
}
