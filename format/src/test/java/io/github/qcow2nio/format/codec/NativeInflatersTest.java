package io.github.qcow2nio.format.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/**
 * The optional native inflater: chosen only when its class loads, loads its library and inflates
 * a known stream right (else the JDK's, with no failure); through it, a cluster reads exactly as
 * through the JDK's, and a bad, truncated or oversized stream is an IOException, never an
 * unchecked exception. GKL itself is tested when it is on the test class path: format's pom has
 * it as a test dependency that the default surefire execution leaves out and the execution
 * "gkl-inflater" puts in ({@code mvn -pl format test -Dtest=NativeInflatersTest -Pgkl-inflater}).
 */
class NativeInflatersTest {
  private static final int CLUSTER = 65536;
  /** Set by format/pom.xml's surefire executions: "jdk" (GKL left out) or "gkl". */
  private static final String BUILD_INFLATER = System.getProperty("qcow2nio.test.inflater");

  private static byte[] text(long seed) {
    Random r = new Random(seed);
    String[] words = {"qcow2", "cluster", "the", "of", "deflate", "window", "l2", "table"};
    StringBuilder sb = new StringBuilder();
    while (sb.length() < CLUSTER) {
      sb.append(words[r.nextInt(words.length)]).append(r.nextInt(10) == 0 ? '\n' : ' ');
    }
    return sb.substring(0, CLUSTER).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Raw deflate of {@code plain}, padded with garbage to a 512-byte sector as in an image. */
  private static byte[] deflate(byte[] plain) {
    Deflater d = new Deflater(6, true);
    byte[] out = new byte[plain.length + 1024];
    d.setInput(plain);
    d.finish();
    int n = d.deflate(out);
    d.end();
    byte[] padded = Arrays.copyOf(out, (n + 511) / 512 * 512);
    Arrays.fill(padded, n, padded.length, (byte) 0x5a);
    return padded;
  }

  private static void checkCodec(Constructor<? extends Inflater> type) throws Exception {
    DeflateCodec codec = new DeflateCodec(type);
    byte[] plain = text(1);
    byte[] stream = deflate(plain);
    byte[] out = new byte[CLUSTER];
    codec.decompress(stream, stream.length, out, CLUSTER);
    assertArrayEquals(plain, out);

    byte[] garbage = new byte[4000];
    new Random(2).nextBytes(garbage);
    garbage[0] = (byte) 0xff; // BTYPE 11: reserved, invalid in any decoder.
    IOException bad = assertThrows(IOException.class,
        () -> codec.decompress(garbage, garbage.length, out, CLUSTER));
    assertTrue(bad.getMessage().startsWith("invalid deflate stream"), bad.getMessage());

    IOException shortStream = assertThrows(IOException.class,
        () -> codec.decompress(stream, 40, out, CLUSTER));
    assertTrue(shortStream.getMessage().contains("deflate stream"), shortStream.getMessage());

    // A bomb: 4 MiB of zeros in one stream fills one cluster and no more.
    byte[] big = new byte[4 << 20];
    byte[] bomb = new byte[64 << 10];
    Deflater d = new Deflater(9, true);
    d.setInput(big);
    d.finish();
    int n = d.deflate(bomb);
    d.end();
    byte[] guarded = new byte[CLUSTER + 16];
    Arrays.fill(guarded, (byte) 7);
    codec.decompress(bomb, n, guarded, CLUSTER);
    for (int i = 0; i < CLUSTER; i++) {
      assertEquals(0, guarded[i]);
    }
    for (int i = CLUSTER; i < guarded.length; i++) {
      assertEquals(7, guarded[i], "wrote past the cluster");
    }

    // The good cluster still reads right after the bad ones, from many threads at once.
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(pool.submit(() -> {
          byte[] o = new byte[CLUSTER];
          for (int i = 0; i < 50; i++) {
            codec.decompress(stream, stream.length, o, CLUSTER);
            assertArrayEquals(plain, o);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aUsableInflaterOnTheClassPathIsChosen() {
    assertNotNull(NativeInflaters.find(FakeNativeInflater.class.getName()));
  }

  @Test
  void anythingElseLeavesTheJdksInflater() {
    assertNull(NativeInflaters.find("jdk"));
    assertNull(NativeInflaters.find(null));
    assertNull(NativeInflaters.find("com.example.NoSuchInflater"));
    assertNull(NativeInflaters.find(String.class.getName()), "not an inflater");
    assertNull(NativeInflaters.find(FakeNativeInflater.NotLoading.class.getName()),
        "its native library does not load");
    assertNull(NativeInflaters.find(FakeNativeInflater.Wrong.class.getName()),
        "inflates the check stream wrongly");
  }

  @Test
  void theJdkPathReadsAndRejectsAsBefore() throws Exception {
    checkCodec(null);
  }

  @Test
  void theNativePathReadsTheSameAndTurnsItsErrorsIntoIoExceptions() throws Exception {
    Constructor<? extends Inflater> fake = NativeInflaters.find(
        FakeNativeInflater.class.getName());
    assertNotNull(fake);
    int before = FakeNativeInflater.CREATED.get();
    checkCodec(fake);
    // Not the chosen class, so nothing is pooled: every inflater made was ended after use.
    assertTrue(FakeNativeInflater.CREATED.get() > before);
  }

  @Test
  void gklWhenItIsOnTheClassPath() throws Exception {
    Constructor<? extends Inflater> gkl = NativeInflaters.find(NativeInflaters.GKL);
    if (!"gkl".equals(BUILD_INFLATER)) {
      assumeTrue(gkl != null, "GKL is not on the test class path");
    }
    assertNotNull(gkl, "the gkl-inflater execution has GKL on its class path, yet it was refused");
    checkCodec(gkl);
  }

  /**
   * Choosing the inflater loads its native library (GKL unpacks one into the temporary
   * directory): the codec an image opens with chooses at its first compressed cluster, so an
   * image whose clusters are never read compressed costs none of it. Watched in a class loader
   * of its own, where no codec has chosen yet.
   */
  @Test
  void theCodecChoosesAtItsFirstClusterNotWhenTheImageOpens() throws Exception {
    String before = System.getProperty(NativeInflaters.PROPERTY);
    URL[] classes = {codeSource(ClusterCodec.class), codeSource(RecordingInflater.class)};
    try (URLClassLoader fresh = new URLClassLoader(classes,
        ClassLoader.getPlatformClassLoader())) {
      System.setProperty(NativeInflaters.PROPERTY, RecordingInflater.class.getName());
      System.clearProperty(RecordingInflater.LOADED);
      Class<?> codecs = fresh.loadClass(ClusterCodec.class.getName());
      Object codec = codecs.getMethod("forType", int.class, String.class).invoke(null, 0, "image");
      assertNull(System.getProperty(RecordingInflater.LOADED),
          "the native inflater was loaded when the codec was made");

      byte[] plain = text(3);
      byte[] stream = deflate(plain);
      byte[] out = new byte[CLUSTER];
      codecs.getMethod("decompress", byte[].class, int.class, byte[].class, int.class)
          .invoke(codec, stream, stream.length, out, CLUSTER);
      assertEquals("true", System.getProperty(RecordingInflater.LOADED),
          "the first cluster did not choose the native inflater");
      assertArrayEquals(plain, out);
    } finally {
      System.clearProperty(RecordingInflater.LOADED);
      if (before == null) {
        System.clearProperty(NativeInflaters.PROPERTY);
      } else {
        System.setProperty(NativeInflaters.PROPERTY, before);
      }
    }
  }

  private static URL codeSource(Class<?> c) {
    return c.getProtectionDomain().getCodeSource().getLocation();
  }

  /**
   * What the build's surefire execution promised (format/pom.xml): the default one leaves GKL
   * out, so the JDK's inflater serves every other test there; "gkl-inflater" puts it in, so the
   * read tests of that execution go through GKL. Skipped when run outside Maven.
   */
  @Test
  void theCoreChoseTheInflaterTheBuildPutOnTheClassPath() {
    assumeTrue(BUILD_INFLATER != null, "not run by the build: no qcow2nio.test.inflater");
    Constructor<? extends Inflater> chosen = NativeInflaters.chosen();
    if (BUILD_INFLATER.equals("gkl")) {
      assertNotNull(chosen, "GKL is on the class path but the core chose the JDK's inflater");
      assertEquals(NativeInflaters.GKL, chosen.getDeclaringClass().getName());
    } else {
      assertEquals("jdk", BUILD_INFLATER);
      assertNull(chosen, "the default execution must leave GKL out: " + chosen);
    }
  }
}
