package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.disk.Qcow2Disk;
import io.github.qcow2nio.format.io.MemoryHostFile;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refcount rebuild of a dirty image: too-low counts raised, leaks lowered, counted. */
class RefcountRebuildTest {
  @TempDir Path dir;

  @Test
  void raisesWhatIsTooLowAndLowersLeaks() throws IOException {
    Path img = dir.resolve("r.qcow2");
    long[] l1;
    try (Qcow2Image image = Qcow2Image.create(img, CreateOptions.builder(1 << 20)
        .clusterSize(4096).build())) {
      image.disk().write(ByteBuffer.wrap(new byte[3 * 4096]), 8192);
      image.disk().flush();
      l1 = ((Qcow2Disk) image.disk()).l1().clone();
    }
    byte[] bytes = Files.readAllBytes(img);
    MemoryHostFile file = new MemoryHostFile("r", bytes, true);
    ByteBuffer c0 = ByteBuffer.allocate(4096);
    file.read(c0, 0);
    Header h = Header.parse(c0.flip(), "r");
    HeaderExtensions ext = HeaderExtensions.parse(c0, h);
    HeaderUpdater hu = new HeaderUpdater(file, h);
    RefcountManager refcounts = RefcountManager.load(file, hu);
    long clusters = (file.size() + 4095) / 4096;
    long data = clusters;
    while (refcounts.get(--data) == 0) {
      // The last cluster in use: a data cluster the L2 table references.
    }
    long free = clusters + 5;
    refcounts.set(data, 0); // too low: referenced by the L2 table
    refcounts.set(free, 1); // a leak past everything in use
    refcounts.flush();

    RefcountManager rebuilt = RefcountManager.load(file, hu);
    RefcountRebuild.Result r = RefcountRebuild.rebuild(file, hu, rebuilt, l1, List.of(), ext,
        List.of(), false);
    assertEquals(new RefcountRebuild.Result(1, 1), r);
    rebuilt.flush(); // the caller makes the rebuild durable, as a writable open does
    RefcountManager after = RefcountManager.load(file, hu);
    assertEquals(1, after.get(data));
    assertEquals(0, after.get(free));
  }
}
