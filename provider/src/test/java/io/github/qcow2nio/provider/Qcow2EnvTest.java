package io.github.qcow2nio.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Qcow2EnvTest {
  @Test
  void defaultsAreQemuImgs() {
    Qcow2Env e = Qcow2Env.parse(Map.of());
    assertEquals(Qcow2Env.AccessMode.DEFAULT, e.accessMode());
    assertFalse(e.create());
    assertEquals(-1, e.creation().size());
    assertEquals(65536, e.creation().clusterSize());
    assertEquals(3, e.creation().version());
    assertEquals(16, e.creation().refcountBits());
    assertEquals(0, e.creation().compressionType());
    assertEquals(CreateOptions.Preallocation.OFF, e.creation().preallocation());
    assertEquals(Qcow2Env.parse(null), e);
  }

  @Test
  void stringsAndTypedValuesMeanTheSame() {
    Map<String, Object> strings = new HashMap<>();
    strings.put("accessMode", "readWrite");
    strings.put("create", "true");
    strings.put("size", "10G");
    strings.put("clusterSize", "2M");
    strings.put("compat", "0.10");
    strings.put("refcountBits", "64");
    strings.put("extendedL2", "true");
    strings.put("compressionType", "zstd");
    strings.put("lazyRefcounts", "on");
    strings.put("backingFile", "../base.qcow2");
    strings.put("backingFormat", "raw");
    strings.put("dataFile", "data.raw");
    strings.put("dataFileRaw", "true");
    strings.put("preallocation", "metadata");
    Map<String, Object> typed = new HashMap<>(strings);
    typed.put("create", true);
    typed.put("size", 10L << 30);
    typed.put("clusterSize", 2 * 1024 * 1024);
    typed.put("refcountBits", 64);
    typed.put("extendedL2", Boolean.TRUE);
    typed.put("lazyRefcounts", true);
    typed.put("backingFile", java.nio.file.Path.of("../base.qcow2"));
    typed.put("dataFileRaw", true);
    Qcow2Env a = Qcow2Env.parse(strings);
    assertEquals(a, Qcow2Env.parse(typed));
    CreateOptions c = a.createOptions();
    assertEquals(CreateOptions.builder(10L << 30).clusterSize(2 << 20).version(2).refcountBits(64)
        .extendedL2(true).compressionType(1).lazyRefcounts(true).backingFile("../base.qcow2")
        .backingFormat("raw").dataFile("data.raw").dataFileRaw(true)
        .preallocation(CreateOptions.Preallocation.METADATA).build(), c);
  }

  @Test
  void sizes() {
    assertEquals(512, Qcow2Env.bytes("size", "512"));
    assertEquals(512, Qcow2Env.bytes("size", 512));
    assertEquals(64 * 1024, Qcow2Env.bytes("size", "64k"));
    assertEquals(64 * 1024, Qcow2Env.bytes("size", "64K"));
    assertEquals(3L << 20, Qcow2Env.bytes("size", "3M"));
    assertEquals(1L << 40, Qcow2Env.bytes("size", "1T"));
    assertEquals(100, Qcow2Env.bytes("size", "100b"));
    for (String bad : new String[] {"", "G", "1.5G", "-1", "ten", "9E", "1X"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Qcow2Env.bytes("size", bad), bad);
      assertTrue(e.getMessage().contains("'size'"), e.getMessage());
    }
  }

  @Test
  void badValuesNameTheValidOnes() {
    assertBad("clusterSize", "1000", "power of two from 512 to 2M");
    assertBad("clusterSize", "4M", "power of two from 512 to 2M");
    assertBad("clusterSize", 256, "power of two from 512 to 2M");
    assertBad("compat", "2", "0.10, 1.1");
    assertBad("refcountBits", 3, "1, 2, 4, 8, 16, 32, 64");
    assertBad("refcountBits", "128", "1, 2, 4, 8, 16, 32, 64");
    assertBad("compressionType", "lz4", "zlib, zstd");
    assertBad("backingFormat", "vmdk", "qcow2, raw");
    assertBad("preallocation", "some", "off, metadata, falloc, full");
    assertBad("extendedL2", "maybe", "true, false");
    assertBad("accessMode", "READONLY", "readOnly, readWrite");
    assertBad("backingFile", "", "non-empty file name");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Qcow2Env.parse(Map.of("size", new Object())));
    assertTrue(e.getMessage().contains("String"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Qcow2Env.parse(Map.of("cluster_size", "64k")));
    for (String k : Qcow2Env.KEYS) {
      assertTrue(e.getMessage().contains(k), e.getMessage());
    }
    e = assertThrows(IllegalArgumentException.class,
        () -> Qcow2Env.parse(Map.of("create", "true")).createOptions());
    assertTrue(e.getMessage().contains("size"), e.getMessage());
  }

  private static void assertBad(String key, Object value, String valid) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Qcow2Env.parse(Map.of(key, value)), key + "=" + value);
    assertTrue(e.getMessage().contains(valid) && e.getMessage().contains(key), e.getMessage());
  }
}
