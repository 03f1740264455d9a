package io.github.qcow2nio.format.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** XTS-AES against the test vectors of IEEE 1619-2007 Annex B. */
class XtsTest {
  private static final String SEQ_512 = seq512();

  private static String seq512() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 512; i++) {
      s.append(String.format("%02x", i & 0xff));
    }
    return s.toString();
  }

  static Stream<Arguments> vectors() {
    String k15 = "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0" + "bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0";
    return Stream.of(
        Arguments.of("1", "00".repeat(32), 0L, "00".repeat(32),
            "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e"),
        Arguments.of("2", "11".repeat(16) + "22".repeat(16), 0x3333333333L, "44".repeat(32),
            "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0"),
        Arguments.of("3", "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0" + "22".repeat(16), 0x3333333333L,
            "44".repeat(32),
            "af85336b597afc1a900b2eb21ec949d292df4c047e0b21532186a5971a227a89"),
        Arguments.of("10 (XTS-AES-256, 512 bytes)",
            "2718281828459045235360287471352662497757247093699959574966967627"
                + "3141592653589793238462643383279502884197169399375105820974944592",
            0xffL, SEQ_512,
            "1c3b3a102f770386e4836c99e370cf9bea00803f5e482357a4ae12d414a3e63b"
                + "5d31e276f8fe4a8d66b317f9ac683f44680a86ac35adfc3345befecb4bb188fd"
                + "5776926c49a3095eb108fd1098baec70aaa66999a72a82f27d848b21d4a741b0"
                + "c5cd4d5fff9dac89aeba122961d03a757123e9870f8acf1000020887891429ca"
                + "2a3e7a7d7df7b10355165c8b9a6d0a7de8b062c4500dc4cd120c0f7418dae3d0"
                + "b5781c34803fa75421c790dfe1de1834f280d7667b327f6c8cd7557e12ac3a0f"
                + "93ec05c52e0493ef31a12d3d9260f79a289d6a379bc70c50841473d1a8cc81ec"
                + "583e9645e07b8d9670655ba5bbcfecc6dc3966380ad8fecb17b6ba02469a020a"
                + "84e18e8f84252070c13e9f1f289be54fbc481457778f616015e1327a02b140f1"
                + "505eb309326d68378f8374595c849d84f4c333ec4423885143cb47bd71c5edae"
                + "9be69a2ffeceb1bec9de244fbe15992b11b77c040f12bd8f6a975a44a0f90c29"
                + "a9abc3d4d893927284c58754cce294529f8614dcd2aba991925fedc4ae74ffac"
                + "6e333b93eb4aff0479da9a410e4450e0dd7ae4c6e2910900575da401fc07059f"
                + "645e8b7e9bfdef33943054ff84011493c27b3429eaedb4ed5376441a77ed4385"
                + "1ad77f16f541dfd269d50d6a5f14fb0aab1cbb4c1550be97f7ab4066193c4caa"
                + "773dad38014bd2092fa755c824bb5e54c4f36ffda9fcea70b9c6e693e148c151"),
        // 15 to 18: data units that end in a partial block (ciphertext stealing).
        Arguments.of("15", k15, 0x123456789aL, "000102030405060708090a0b0c0d0e0f10",
            "6c1625db4671522d3d7599601de7ca09ed"),
        Arguments.of("16", k15, 0x123456789aL, "000102030405060708090a0b0c0d0e0f1011",
            "d069444b7a7e0cab09e24447d24deb1fedbf"),
        Arguments.of("17", k15, 0x123456789aL, "000102030405060708090a0b0c0d0e0f101112",
            "e5df1351c0544ba1350b3363cd8ef4beedbf9d"),
        Arguments.of("18", k15, 0x123456789aL, "000102030405060708090a0b0c0d0e0f10111213",
            "9d84c813f719aa2c7be3f66171c7c5c2edbf9dac"));
  }

  @ParameterizedTest(name = "IEEE 1619 vector {0}")
  @MethodSource("vectors")
  void encryptsAndDecryptsTheVector(String name, String key, long unit, String ptx, String ctx) {
    Xts xts = new Xts(Hex.bytes(key));
    byte[] iv = new byte[16];
    IvGenerator.plain64(unit, iv);
    byte[] buf = Hex.bytes(ptx);
    xts.encrypt(iv, buf, 0, buf.length);
    assertEquals(ctx, Hex.of(buf), "ciphertext of vector " + name);
    xts.decrypt(iv, buf, 0, buf.length);
    assertEquals(ptx, Hex.of(buf), "plaintext of vector " + name);
  }

  @Test
  void unitsOfEveryLengthRoundTripAndDependOnTheTweak() {
    Random r = new Random(1619);
    for (int keyLen : new int[] {32, 48, 64}) {
      byte[] key = new byte[keyLen];
      r.nextBytes(key);
      Xts xts = new Xts(key);
      for (int len = 16; len <= 1100; len += 1 + r.nextInt(7)) {
        byte[] plain = new byte[len + 8];
        r.nextBytes(plain);
        byte[] buf = plain.clone();
        byte[] iv = new byte[16];
        IvGenerator.plain64(len, iv);
        xts.encrypt(iv, buf, 4, len);
        assertFalse(Arrays.equals(plain, buf), "length " + len);
        assertArrayEquals(Arrays.copyOf(plain, 4), Arrays.copyOf(buf, 4), "bytes before");
        assertArrayEquals(Arrays.copyOfRange(plain, len + 4, len + 8),
            Arrays.copyOfRange(buf, len + 4, len + 8), "bytes after");
        byte[] other = buf.clone();
        IvGenerator.plain64(len + 1, iv);
        xts.decrypt(iv, other, 4, len);
        assertFalse(Arrays.equals(plain, other), "another tweak decrypts to something else");
        IvGenerator.plain64(len, iv);
        xts.decrypt(iv, buf, 4, len);
        assertArrayEquals(plain, buf, "length " + len);
      }
    }
  }

  @Test
  void refusesUnitsShorterThanABlockAndBadKeys() {
    Xts xts = new Xts(new byte[32]);
    assertThrows(IllegalArgumentException.class, () -> xts.decrypt(new byte[16], new byte[15], 0,
        15));
    assertThrows(IllegalArgumentException.class, () -> new Xts(new byte[16]));
    assertThrows(IllegalArgumentException.class, () -> new Xts(new byte[33]));
  }

  @Test
  void alphaMultiplicationCarriesAcrossBytesAndReduces() {
    byte[] t = new byte[16];
    t[0] = (byte) 0x80;
    Xts.multiplyByAlpha(t);
    assertEquals("00010000000000000000000000000000", Hex.of(t));
    Arrays.fill(t, (byte) 0);
    t[15] = (byte) 0x80;
    Xts.multiplyByAlpha(t);
    assertEquals("87000000000000000000000000000000", Hex.of(t));
  }
}
