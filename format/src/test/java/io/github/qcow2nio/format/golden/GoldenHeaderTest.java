package io.github.qcow2nio.format.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.struct.FeatureNameTable;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.format.testing.Golden;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden headers parse to what {@code qemu-img info --output=json} reported for them (recorded
 * once in golden/README.md) and to the header words read from the files with xxd.
 */
class GoldenHeaderTest {
  @TempDir static Path dir;

  @BeforeAll
  static void unpack() throws Exception {
    Golden.unpack(dir);
  }

  static Header header(String name) throws Exception {
    byte[] b = Golden.bytes(name);
    return Header.parse(ByteBuffer.wrap(b, 0, Math.min(b.length, 4096)), name);
  }

  static HeaderExtensions extensions(String name) throws Exception {
    byte[] b = Golden.bytes(name);
    Header h = header(name);
    return HeaderExtensions.parse(ByteBuffer.wrap(b, 0, Math.min(b.length, h.clusterSize())), h);
  }

  /** virtual-size, cluster-size, compat, refcount-bits, compression-type, extended-l2. */
  static void assertInfo(String name, long size, int clusterSize, String compat, int refcountBits,
      String compression, boolean extendedL2) throws Exception {
    Header h = header(name);
    assertEquals(size, h.size(), name);
    assertEquals(clusterSize, h.clusterSize(), name);
    assertEquals(compat, h.version() == 2 ? "0.10" : "1.1", name);
    assertEquals(refcountBits, h.refcountBits(), name);
    assertEquals(compression, h.compressionType() == 1 ? "zstd" : "zlib", name);
    assertEquals(extendedL2, h.hasExtendedL2(), name);
    assertFalse(h.isDirty(), name + " dirty-flag");
    assertFalse(h.isCorrupt(), name + " corrupt");
    assertFalse(h.hasLazyRefcounts(), name + " lazy-refcounts");
    assertEquals(0, h.cryptMethod(), name + " encrypted");
  }

  @Test
  void infoFacts() throws Exception {
    assertInfo("v2.qcow2", 262144, 512, "0.10", 16, "zlib", false);
    assertInfo("v3-default.qcow2", 1048576, 65536, "1.1", 16, "zlib", false);
    assertInfo("c512.qcow2", 262144, 512, "1.1", 16, "zlib", false);
    assertInfo("extl2.qcow2", 262144, 16384, "1.1", 16, "zlib", true);
    assertInfo("compressed-zstd.qcow2", 262144, 512, "1.1", 16, "zstd", false);
    assertInfo("chain-top.qcow2", 262144, 512, "1.1", 16, "zlib", false);
    assertInfo("chain-mid.qcow2", 262144, 512, "1.1", 16, "zlib", false);
    assertInfo("extdata.qcow2", 262144, 512, "1.1", 16, "zlib", false);
    assertInfo("snapshot.qcow2", 262144, 512, "1.1", 16, "zlib", false);
    assertInfo("refcount1.qcow2", 262144, 512, "1.1", 1, "zlib", false);
    assertInfo("refcount64.qcow2", 262144, 512, "1.1", 64, "zlib", false);
  }

  @Test
  void headerWords() throws Exception {
    for (String name : List.of("v2.qcow2", "c512.qcow2", "snapshot.qcow2", "chain-mid.qcow2")) {
      Header h = header(name);
      assertEquals(8, h.l1Size(), name);
      assertEquals(0x600, h.l1TableOffset(), name);
      assertEquals(0x200, h.refcountTableOffset(), name);
      assertEquals(1, h.refcountTableClusters(), name);
    }
    assertEquals(72, header("v2.qcow2").extensionsStart());
    assertEquals(112, header("c512.qcow2").headerLength());
    assertEquals(0, header("c512.qcow2").unknownTrailer().length);
    Header snap = header("snapshot.qcow2");
    assertEquals(1, snap.nbSnapshots());
    assertEquals(0x1400, snap.snapshotsOffset());
    Header mid = header("chain-mid.qcow2");
    assertEquals(0x88, mid.backingFileOffset());
    assertEquals(14, mid.backingFileSize());
  }

  @Test
  void extensionFacts() throws Exception {
    HeaderExtensions top = extensions("chain-top.qcow2");
    assertEquals(Optional.of("chain-mid.qcow2"), top.backingFile());
    assertEquals(Optional.of("qcow2"), top.backingFormat());
    HeaderExtensions mid = extensions("chain-mid.qcow2");
    assertEquals(Optional.of("chain-base.raw"), mid.backingFile());
    assertEquals(Optional.of("raw"), mid.backingFormat());
    HeaderExtensions ext = extensions("extdata.qcow2");
    assertEquals(Optional.of("extdata.data"), ext.dataFile());
    assertTrue(header("extdata.qcow2").hasExternalDataFile());
    assertFalse(header("extdata.qcow2").isDataFileRaw());
    // QEMU writes the feature-name table only for clusters above 4 KiB: its eight entries.
    FeatureNameTable names = extensions("v3-default.qcow2").featureNames().orElseThrow();
    assertEquals(Features.standardNames(), names.entries());
    assertTrue(extensions("c512.qcow2").featureNames().isEmpty());
    assertTrue(extensions("extl2.qcow2").featureNames().isPresent());
    for (String name : List.of("v2.qcow2", "c512.qcow2", "zero.qcow2")) {
      assertEquals(HeaderExtensions.none(), extensions(name), name);
    }
  }

  @Test
  void snapshotFacts() throws Exception {
    try (Qcow2Image image = Qcow2Image.open(dir.resolve("snapshot.qcow2"))) {
      List<SnapshotEntry> s = image.snapshots();
      assertEquals(1, s.size());
      assertEquals("1", s.get(0).id());
      assertEquals("snap1", s.get(0).name());
      assertEquals(0, s.get(0).vmStateSize());
      assertEquals(262144, s.get(0).diskSize());
      assertEquals(8, s.get(0).l1Size());
    }
  }
}
