package io.github.qcow2nio.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.format.testing.Qemu;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
  @TempDir Path dir;

  @Test
  void readsWhatQemuWrote() throws Exception {
    Qemu.assumeAvailable();
    for (String opts : new String[] {"", "compat=0.10", "cluster_size=512", "extended_l2=on",
        "compression_type=zstd", "refcount_bits=1"}) {
      Path img = dir.resolve("a" + opts.hashCode() + ".qcow2");
      if (opts.isEmpty()) {
        Qemu.img("create", "-f", "qcow2", img.toString(), "5M");
      } else {
        Qemu.img("create", "-f", "qcow2", "-o", opts, img.toString(), "5M");
      }
      Qemu.io(img, "write -P 0xab 1000 70000", "write -z 200k 100k", "write -P 7 4M 3000");
      byte[] expected = Qemu.rawContents(img, dir);
      try (Qcow2Image image = Qcow2Image.open(img)) {
        assertEquals(expected.length, image.disk().size());
        ByteBuffer all = ByteBuffer.allocate(expected.length);
        assertEquals(expected.length, image.disk().read(all, 0));
        assertArrayEquals(expected, all.array(), opts);
      }
    }
  }
}
