package io.github.qcow2nio.format.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.MemoryHostFile;
import io.github.qcow2nio.format.struct.Header;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The refcount table, its block cache and the allocator, on fresh images of every width. */
class RefcountManagerTest {

  /** A fresh image's file and a manager over it (512-byte clusters: blocks fill fast). */
  private static RefcountManager fresh(int refcountBits, MemoryHostFile[] file) throws IOException {
    Path tmp = Files.createTempFile("refcounts", ".qcow2");
    try {
      Qcow2Image.create(tmp, CreateOptions.builder(1 << 20).clusterSize(512)
          .refcountBits(refcountBits).build()).close();
      file[0] = new MemoryHostFile("t.qcow2", Files.readAllBytes(tmp), true);
    } finally {
      Files.delete(tmp);
    }
    ByteBuffer c0 = ByteBuffer.allocate(512);
    file[0].read(c0, 0);
    Header h = Header.parse(c0.flip(), "t.qcow2");
    return RefcountManager.load(file[0], new HeaderUpdater(file[0], h));
  }

  private static RefcountManager reload(MemoryHostFile file) throws IOException {
    ByteBuffer c0 = ByteBuffer.allocate(512);
    file.read(c0, 0);
    return RefcountManager.load(file, new HeaderUpdater(file, Header.parse(c0.flip(), "t")));
  }

  @ParameterizedTest(name = "{0}-bit refcounts")
  @ValueSource(ints = {1, 2, 4, 8, 16, 32, 64})
  void allocationsAreFirstFitAndSurviveAFlush(int bits) throws IOException {
    MemoryHostFile[] f = new MemoryHostFile[1];
    RefcountManager r = fresh(bits, f);
    long used = (f[0].size() + 511) / 512; // the L1 table may end mid-cluster
    for (long c = 0; c < used; c++) {
      assertEquals(1, r.get(c), "cluster " + c + " of a fresh image");
    }
    assertEquals(0, r.get(used));
    long first = r.allocate(3);
    assertEquals(used * 512, first, "first fit after the metadata");
    long second = r.allocate(1);
    assertEquals(first + 3 * 512, second);
    r.free(first + 512, 512);
    assertEquals(0, r.get(first / 512 + 1));
    assertEquals(first + 512, r.allocate(1), "a freed cluster is reused first");
    r.flush();
    RefcountManager again = reload(f[0]);
    for (long c = first / 512; c <= second / 512; c++) {
      assertEquals(1, again.get(c), "cluster " + c + " after reloading");
    }
  }

  @Test
  void widthLimitsAreEnforced() throws IOException {
    MemoryHostFile[] f = new MemoryHostFile[1];
    RefcountManager r = fresh(1, f);
    long c = r.allocate(1) / 512;
    assertThrows(Qcow2Exception.class, () -> r.increment(c), "1-bit refcounts stop at 1");
    r.decrement(c);
    assertThrows(CorruptImageException.class, () -> r.decrement(c),
        "freeing a cluster whose refcount is already 0");
  }

  @Test
  void newBlocksAndTableGrowthDescribeThemselves() throws IOException {
    MemoryHostFile[] f = new MemoryHostFile[1];
    RefcountManager r = fresh(64, f);
    long tableBefore = r.tableOffset();
    // 64-bit refcounts in 512-byte clusters: a block covers 64 clusters, the one-cluster table
    // 64 blocks (4096 clusters). Allocating past that grows the table.
    for (int i = 0; i < 5000; i++) {
      r.allocate(1);
    }
    r.flush();
    assertTrue(r.tableOffset() != tableBefore, "the refcount table moved");
    assertTrue(r.isRefcountMetadata(r.tableOffset()));
    long[] entries = r.tableEntries();
    for (long e : entries) {
      if (e != 0) {
        assertTrue(r.isRefcountMetadata(e), "block at " + e);
        assertEquals(1, r.get(e / 512), "a refcount block counts itself");
      }
    }
    RefcountManager again = reload(f[0]);
    for (long c = 0; c < 5000; c++) {
      assertEquals(r.get(c), again.get(c), "cluster " + c + " after reloading");
    }
    assertFalse(again.isDirty());
  }

  @Test
  void aFailedWriteKeepsTheChangeDirtyUntilAWriteSucceeds() throws IOException {
    MemoryHostFile[] f = new MemoryHostFile[1];
    RefcountManager r = fresh(16, f);
    long c = r.allocate(1) / 512;
    assertTrue(r.isDirty());
    r.flush();
    assertFalse(r.isDirty());
    r.decrement(c);
    assertTrue(r.isDirty());
    r.flush();
    assertEquals(0, reload(f[0]).get(c));
  }
}
