package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.Qemu;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Tag;

/**
 * A crash at every single host write of the steps that rewrite bitmaps: storing them on close
 * (new data clusters, table entries, in_use cleared) and resizing them (new tables and directory,
 * header switch, old clusters freed). After each: qemu-img check finds no corruption, and the
 * enabled bitmap is either in_use or records the change; the disabled one is unchanged.
 */
@Tag("qemu")
class BitmapCrashTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"close", "grow", "shrink"})
  void crashAtEveryWrite(String step) throws Exception {
    Qemu.assumeAvailable();
    Path seed = dir.resolve("seed.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=512", seed.toString(), "4M");
    Qemu.img("bitmap", "--add", "-g", "512", seed.toString(), "on");
    Qemu.img("bitmap", "--add", "-g", "4096", seed.toString(), "off");
    Qemu.io(seed, "write -P 0x42 300k 300k");
    Qemu.img("bitmap", "--disable", seed.toString(), "off");
    byte[] seedBytes = Files.readAllBytes(seed);
    // qemu's write, then ours: both in the first bitmap cluster and in the (zero) second one.
    List<long[]> changes = List.of(new long[] {300 << 10, 300 << 10},
        new long[] {(3 << 20) + 100, 5000}, new long[] {1000, 100});
    long newSize = step.equals("grow") ? 9 << 20 : step.equals("shrink") ? (3 << 20) + 512
        : 4 << 20;
    Random rnd = new Random(step.hashCode());
    int crashes = 0;
    for (int k = 0; ; k++) {
      FaultyLocation.Crash crash = new FaultyLocation.Crash();
      FaultyLocation loc = FaultyLocation.root("crash.qcow2", crash, dir);
      FaultyLocation.File f = new FaultyLocation.File(crash);
      f.current = seedBytes.clone();
      f.durable = seedBytes.clone();
      loc.files().put("crash.qcow2", f);
      boolean crashed = false;
      Qcow2Image image = Qcow2Image.open(loc, OpenOptions.readWrite());
      try {
        image.disk().write(ByteBuffer.wrap(new byte[5000]), (3 << 20) + 100);
        image.disk().writeZeros(1000, 100);
        if (!step.equals("close")) {
          image.disk().flush();
        }
        crash.writesLeft = k;
        if (!step.equals("close")) {
          image.disk().resize(newSize, true);
        }
        image.close();
      } catch (FaultyLocation.Crashed expected) {
        crashed = true;
      }
      if (!crashed) {
        break;
      }
      crashes++;
      boolean powerLoss = k % 2 == 1;
      Path img = dir.resolve("crash.qcow2");
      Files.write(img, powerLoss ? f.afterPowerLoss(rnd) : f.current);
      String what = step + " crash at write " + k + (powerLoss ? " (power loss)" : "");
      Qemu.Result r = Qemu.run(List.of("qemu-img", "check", img.toString()));
      if (r.exitCode() != 0 && r.exitCode() != 3) {
        fail(what + ": qemu-img check exit " + r.exitCode() + "\n" + r.stdout() + r.stderr());
      }
      long size;
      try (Qcow2Image again = Qcow2Image.open(img)) {
        size = again.disk().size();
      }
      String json = Qemu.img("info", "--output=json", img.toString()).replaceAll("\\s", "");
      Map<String, BitSet> bits = BitmapWriteTest.readBitmaps(img);
      if (!json.contains("\"flags\":[\"in-use\",\"auto\"],\"name\":\"on\"")) {
        BitSet expected = BitmapWriteTest.granules(changes, size, 9);
        assertEquals(expected, bits.get("on"), what + ": a consistent bitmap is incomplete");
      }
      BitSet off = bits.get("off");
      off.clear((int) ((size + 4095) >>> 12), Integer.MAX_VALUE);
      assertEquals(BitmapWriteTest.granules(changes.subList(0, 1), size, 12), off,
          what + ": the disabled bitmap changed");
    }
    assertTrue(crashes > 3, step + ": only " + crashes + " writes to crash at");
  }
}
