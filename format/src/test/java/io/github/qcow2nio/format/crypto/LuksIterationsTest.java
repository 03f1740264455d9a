package io.github.qcow2nio.format.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.qcow2nio.format.error.Qcow2Exception;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The iteration counts of a new LUKS header come out as qemu-img 7.2 computes them, on a CPU
 * clock the test controls: the benchmark's growth steps (2^15, times ten under 100 ms, scaled to
 * a second from 100 to 500 ms, done over 500 ms), the master key digest's eighth, the slot's
 * whole iteration time, and the floor of 1000.
 */
class LuksIterationsTest {

  /** A clock where each PBKDF2 iteration costs {@code nanosPerIteration} of CPU time. */
  private static final class FakeCpu {
    long now;
    final List<Long> runs = new ArrayList<>();
    final double nanosPerIteration;

    FakeCpu(double nanosPerIteration) {
      this.nanosPerIteration = nanosPerIteration;
    }

    Pbkdf2Timing timing() {
      return new Pbkdf2Timing(() -> now);
    }

    void run(long iterations) {
      runs.add(iterations);
      now += (long) (iterations * nanosPerIteration);
    }
  }

  @Test
  void benchmarkGrowsAsQemuImgsDoes() {
    // 1 microsecond per iteration: 32768 -> 32 ms (x10) -> 327 ms (scaled to 1000 ms:
    // 327680 * 1000 / 327 = 1002079) -> 1002 ms: done, 1002079 * 1000 / 1002.
    FakeCpu cpu = new FakeCpu(1000);
    long perSecond = cpu.timing().iterationsPerSecond(cpu::run);
    assertEquals(List.of(32768L, 327680L, 1002079L), cpu.runs);
    assertEquals(1002079L * 1000 / 1002, perSecond);
  }

  @Test
  void aFastMachineStopsAtTheFirstLongRun() {
    // 20 ns per iteration: 32768 -> 0 ms (x10), 327680 -> 6 ms (x10), 3276800 -> 65 ms (x10),
    // 32768000 -> 655 ms: done, 32768000 * 1000 / 655.
    FakeCpu cpu = new FakeCpu(20);
    long perSecond = cpu.timing().iterationsPerSecond(cpu::run);
    assertEquals(List.of(32768L, 327680L, 3276800L, 32768000L), cpu.runs);
    assertEquals(32768000L * 1000 / 655, perSecond);
  }

  @Test
  void countsScaleToTheIterationTime() throws Qcow2Exception {
    // qemu-img: slot = rate * iter-time / 1000; digest = that / 8; both at least 1000.
    assertEquals(3_330_081 * 2, LuksFormatter.iterations(3_330_081, 2000, 1, "slot"));
    assertEquals(6_350_384 * 2 / 8, LuksFormatter.iterations(6_350_384, 2000, 8, "digest"));
    assertEquals(1000, LuksFormatter.iterations(50_000, 10, 1, "slot"));
    assertEquals(1000, LuksFormatter.iterations(6_000_000, 1, 8, "digest"));
    assertThrows(Qcow2Exception.class,
        () -> LuksFormatter.iterations(50_000_000, 2000, 1, "slot"));
  }

  @Test
  void aCreatedHeaderCarriesTheMeasuredCounts() throws Exception {
    // The rate depends on the output length, as PBKDF2's cost does (one HMAC chain per block).
    List<Integer> outLengths = new ArrayList<>();
    LuksFormatter f = new LuksFormatter((hash, password, salt, out) -> {
      outLengths.add(out);
      return out == LuksHeader.DIGEST_SIZE ? 400_000 : 20_000;
    }, new SecureRandom());
    LuksParameters p = new LuksParameters("aes-128", "cbc", "plain64", null, "sha1", 500, 0);
    byte[] area = f.area(p.resolve(), "pw".getBytes());
    assertEquals(List.of(LuksHeader.DIGEST_SIZE, 16), outLengths,
        "the digest is timed over its 20 bytes, the slot over the key's");
    LuksHeader h = LuksHeader.parse(ByteBuffer.wrap(area), 0, area.length);
    assertEquals(400_000 * 500 / 1000 / 8, h.mkDigestIterations());
    assertEquals(20_000 * 500 / 1000, h.slots().get(0).iterations());
    assertEquals("cbc-plain64", h.cipherMode());
    assertEquals("sha1", h.hashSpec());
    assertEquals(16, h.keyBytes());
    // The slot opens with the passphrase at the counts chosen.
    byte[] key = LuksUnlock.masterKey(h, (what, offset, length) -> ByteBuffer.wrap(
        java.util.Arrays.copyOfRange(area, (int) offset, (int) offset + length)),
        "pw".getBytes(), "test");
    assertEquals(16, key.length);
  }

  @Test
  void theDefaultIsTwoSecondsOfTheMeasuredRate() throws Exception {
    List<Long> seen = new ArrayList<>();
    LuksFormatter f = new LuksFormatter((hash, password, salt, out) -> 10_000,
        new SecureRandom());
    byte[] area = f.area(new LuksParameters(null, null, null, null, null, 0, 0).resolve(),
        "pw".getBytes());
    LuksHeader h = LuksHeader.parse(ByteBuffer.wrap(area), 0, area.length);
    seen.add((long) h.slots().get(0).iterations());
    seen.add((long) h.mkDigestIterations());
    assertEquals(List.of(20_000L, 2_500L), seen);
    assertEquals("xts-plain64", h.cipherMode());
    assertEquals("sha256", h.hashSpec());
    assertEquals(64, h.keyBytes());
    assertEquals(4040, h.payloadSector());
  }
}
