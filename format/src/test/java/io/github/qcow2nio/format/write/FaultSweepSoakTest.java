package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.testing.Knobs;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault sweep as a soak run: every fault point of every workload, each mode, with eight (or
 * {@code -Dqcow2.faultSeeds}) random choices of torn prefix, interrupted write and power-loss
 * subset per point. Tagged {@code soak}, so README's test command leaves it out; run it with
 * {@code mvn -pl format -am test -Dgroups=soak -Dsurefire.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("qemu")
@Tag("soak")
class FaultSweepSoakTest {
  @TempDir static Path seedDir;
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("io.github.qcow2nio.format.write.FaultSweepTest#sweeps")
  void everyFaultPointManyTimes(String name, FaultyLocation.Mode mode) throws IOException {
    Qemu.assumeAvailable();
    FaultSweep sweep = new FaultSweep(FaultSweepTest.scenario(name, seedDir), dir);
    long points = sweep.countPoints();
    int seeds = Math.max(8, Knobs.FAULT_SEEDS);
    for (long p = 0; p < points; p++) {
      for (int seed = 0; seed < seeds; seed++) {
        sweep.runAt(p, mode, seed);
      }
    }
  }
}
