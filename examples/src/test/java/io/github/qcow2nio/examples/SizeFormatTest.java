package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.testing.Qemu;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The {@code %0.3g} part of qemu-img's size style against C's printf (printf(1) formats with the
 * C library). The unit choice is tested against qemu-img itself in InfoAgainstQemuTest.
 */
class SizeFormatTest {

  @Test
  void threeSignificantDigitsLikeCPrintf() throws IOException {
    Random random = new Random(42);
    double[] edges = {0.5, 1, 9.995, 9.9949, 99.95, 99.949, 999.4, 999.5, 999.6, 1000 / 1024.0,
        1023.999, 1.4648, 1.465, 0.125, 12.25, 12.35, 100, 512};
    StringBuilder format = new StringBuilder();
    int count = edges.length + 200;
    double[] values = new double[count];
    for (int i = 0; i < count; i++) {
      values[i] = i < edges.length ? edges[i]
          : random.nextInt(1024 * 1024) / (double) (1 << random.nextInt(11));
      format.append("%0.3g\\n");
    }
    String[] cmd = new String[count + 2];
    cmd[0] = "printf";
    cmd[1] = format.toString();
    for (int i = 0; i < count; i++) {
      // %a keeps the exact binary value, so printf rounds the same double we do.
      cmd[i + 2] = Double.toHexString(values[i]);
    }
    Qemu.Result r = Qemu.run(cmd);
    org.junit.jupiter.api.Assumptions.assumeTrue(r.exitCode() == 0, "no printf(1)");
    String[] expected = r.stdout().split("\n");
    for (int i = 0; i < count; i++) {
      assertEquals(expected[i], SizeFormat.significant3(values[i]), "value " + values[i]);
    }
  }
}
