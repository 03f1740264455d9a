package io.github.qcow2nio.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.io.ReferencePolicy;
import io.github.qcow2nio.format.CreateOptions.Preallocation;
import io.github.qcow2nio.format.struct.Qcow2Limits;
import org.junit.jupiter.api.Test;

/**
 * The option records' builders: they start where the static starting points are, a copy keeps
 * every option, each setter changes only its own, and OpenOptions refuses what its constructor
 * refuses, with the same words.
 */
class OptionsBuilderTest {

  @Test
  void openOptionsStartReadOnlyWithTheChainLocksAndDefaultCache() {
    OpenOptions o = OpenOptions.readOnly();
    assertEquals(OpenOptions.builder().build(), o);
    assertFalse(o.writable());
    assertEquals(Qcow2Limits.DEFAULT_MAX_BACKING_DEPTH, o.maxBackingDepth());
    assertEquals(0, o.l2CacheBytes());
    assertNull(o.dataFile());
    assertTrue(o.openBacking());
    assertTrue(o.locking());
    assertFalse(o.forceShare());
    assertEquals(new OpenOptions(true, o.maxBackingDepth(), 0, null, true, true, false,
        ReferencePolicy.follow(), null),
        OpenOptions.readWrite());
  }

  @Test
  void openOptionsSettersAndCopy() {
    OpenOptions o = OpenOptions.builder().maxBackingDepth(3).l2CacheBytes(4096)
        .dataFile("d.raw").openBacking(false).locking(false).forceShare(true).build();
    assertEquals(new OpenOptions(false, 3, 4096, "d.raw", false, false, true,
        ReferencePolicy.follow(), null), o);
    assertEquals(o, o.toBuilder().build());
    OpenOptions w = OpenOptions.readOnly().toBuilder().writable(true).build();
    assertEquals(OpenOptions.readWrite(), w);
    assertEquals(new OpenOptions(true, 3, 4096, "d.raw", false, false, false,
        ReferencePolicy.follow(), null),
        o.toBuilder().forceShare(false).writable(true).build());
  }

  @Test
  void openOptionsBuildRefusesWhatTheConstructorRefuses() {
    assertEquals("maxBackingDepth -1", assertThrows(IllegalArgumentException.class,
        () -> OpenOptions.builder().maxBackingDepth(-1).build()).getMessage());
    assertEquals("l2CacheBytes -1", assertThrows(IllegalArgumentException.class,
        () -> OpenOptions.builder().l2CacheBytes(-1).build()).getMessage());
    assertEquals("force-share=on can only be used with read-only images",
        assertThrows(IllegalArgumentException.class,
            () -> OpenOptions.builder().writable(true).forceShare(true).build()).getMessage());
    // Checked at build(), so the order of the setters does not matter.
    OpenOptions shared = OpenOptions.readWrite().toBuilder().forceShare(true).writable(false)
        .build();
    assertTrue(shared.forceShare());
    assertFalse(shared.writable());
  }

  @Test
  void createOptionsStartAtQemuImgDefaults() {
    CreateOptions d = CreateOptions.defaults(1 << 20);
    assertEquals(CreateOptions.builder(1 << 20).build(), d);
    assertEquals(new CreateOptions(1 << 20, 65536, 3, 16, false, 0, false, null, null, null,
        false, Preallocation.OFF), d);
    assertEquals(-1, CreateOptions.builder(-1).build().size());
  }

  @Test
  void createOptionsSettersAndCopy() {
    CreateOptions all = CreateOptions.builder(1 << 20).size(2 << 20).clusterSize(4096)
        .version(2).refcountBits(64).extendedL2(true).compressionType(1).lazyRefcounts(true)
        .backingFile("b.qcow2").backingFormat("qcow2").dataFile("d.raw").dataFileRaw(true)
        .preallocation(Preallocation.FULL).build();
    assertEquals(new CreateOptions(2 << 20, 4096, 2, 64, true, 1, true, "b.qcow2", "qcow2",
        "d.raw", true, Preallocation.FULL), all);
    assertEquals(all, all.toBuilder().build());
    assertEquals(new CreateOptions(2 << 20, 4096, 2, 64, true, 1, true, "b.qcow2", "qcow2",
        "d.raw", true, Preallocation.METADATA),
        all.toBuilder().preallocation(Preallocation.METADATA).build());
    assertEquals(new CreateOptions(2 << 20, 4096, 2, 64, true, 1, true, null, "qcow2",
        "d.raw", true, Preallocation.FULL), all.toBuilder().backingFile(null).build());
  }
}
