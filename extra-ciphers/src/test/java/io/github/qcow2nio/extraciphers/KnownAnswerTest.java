package io.github.qcow2nio.extraciphers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.qcow2nio.format.crypto.spi.BlockCipher;
import io.github.qcow2nio.format.crypto.spi.BlockCipherAlgorithm;
import io.github.qcow2nio.format.crypto.spi.HashAlgorithm;
import io.github.qcow2nio.format.crypto.spi.HashFunction;
import io.github.qcow2nio.format.crypto.spi.LuksAlgorithmProvider;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The primitives against the test vectors their specifications publish, reached the way the
 * core reaches them (ServiceLoader, then the SPI): Twofish from its paper's table of known
 * answers, Serpent from the NESSIE vectors (set 1, vector 0, the byte order QEMU and cryptsetup
 * use), CAST5 from RFC 2144 appendix B.1, RIPEMD-160 from its designers' paper.
 */
class KnownAnswerTest {
  private static final HexFormat HEX = HexFormat.of();

  static LuksAlgorithmProvider provider() {
    return ServiceLoader.load(LuksAlgorithmProvider.class).findFirst().orElseThrow();
  }

  static Stream<Arguments> ciphers() {
    return Stream.of(
        // Twofish: "Twofish: A 128-Bit Block Cipher", appendix on test vectors (plaintext 0).
        Arguments.of("twofish", "00000000000000000000000000000000",
            "00000000000000000000000000000000", "9f589f5cf6122c32b6bfec2f2ae8c35a"),
        Arguments.of("twofish", "0123456789abcdeffedcba98765432100011223344556677",
            "00000000000000000000000000000000", "cfd1d2e5a9be9cdf501f13b892bd2248"),
        Arguments.of("twofish",
            "0123456789abcdeffedcba987654321000112233445566778899aabbccddeeff",
            "00000000000000000000000000000000", "37527be0052334b89f0cfccae87cfa20"),
        // Serpent: NESSIE, set 1, vector 0 of each key size.
        Arguments.of("serpent", "80000000000000000000000000000000",
            "00000000000000000000000000000000", "264e5481eff42a4606abda06c0bfda3d"),
        Arguments.of("serpent", "800000000000000000000000000000000000000000000000",
            "00000000000000000000000000000000", "9e274ead9b737bb21efcfca548602689"),
        Arguments.of("serpent",
            "8000000000000000000000000000000000000000000000000000000000000000",
            "00000000000000000000000000000000", "a223aa1288463c0e2be38ebd825616c0"),
        // CAST5: RFC 2144, B.1, the 128-bit key.
        Arguments.of("cast5", "0123456712345678234567893456789a", "0123456789abcdef",
            "238b4fe5847e44b2"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("ciphers")
  void cipherKnownAnswers(String name, String key, String plain, String cipher) {
    BlockCipherAlgorithm alg = provider().blockCipher(name).orElseThrow();
    byte[] k = HEX.parseHex(key);
    // Twice over, to see a block function that runs over several blocks per call.
    byte[] buf = HEX.parseHex(plain + plain);
    alg.newInstance(k, 0, k.length, true).processBlocks(buf, 0, buf.length);
    assertEquals(cipher + cipher, HEX.formatHex(buf));
    alg.newInstance(k, 0, k.length, false).processBlocks(buf, 0, buf.length);
    assertEquals(plain + plain, HEX.formatHex(buf));
    assertEquals(plain.length() / 2, alg.blockSize());
  }

  @Test
  void keyLengthsAreQemuImgs() {
    LuksAlgorithmProvider p = provider();
    for (String n : new String[] {"twofish", "serpent"}) {
      BlockCipherAlgorithm a = p.blockCipher(n).orElseThrow();
      for (int len = 0; len <= 64; len++) {
        assertEquals(len == 16 || len == 24 || len == 32, a.isKeyLength(len), n + " " + len);
      }
    }
    BlockCipherAlgorithm cast5 = p.blockCipher("cast5").orElseThrow();
    for (int len = 0; len <= 64; len++) {
      assertEquals(len == 16, cast5.isKeyLength(len), "cast5 " + len);
    }
    assertThrows(IllegalArgumentException.class,
        () -> cast5.newInstance(new byte[10], 0, 10, true));
    assertEquals(java.util.Optional.empty(), p.blockCipher("aes"));
    assertEquals(java.util.Optional.empty(), p.hash("sha256"));
  }

  @Test
  void aPartialBlockIsRefused() {
    BlockCipher c = provider().blockCipher("twofish").orElseThrow()
        .newInstance(new byte[16], 0, 16, true);
    assertThrows(IllegalArgumentException.class, () -> c.processBlocks(new byte[24], 0, 24));
  }

  static Stream<Arguments> ripemd160() {
    // "RIPEMD-160: A Strengthened Version of RIPEMD", its table of test values.
    return Stream.of(
        Arguments.of("", "9c1185a5c5e9fc54612808977ee8f548b2258d31"),
        Arguments.of("a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"),
        Arguments.of("abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"),
        Arguments.of("message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"),
        Arguments.of("abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc"),
        Arguments.of("12345678901234567890123456789012345678901234567890123456789012345678901234"
            + "567890", "9b752e45573d4b39f4dbd3323cab82bf63326bfb"));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("ripemd160")
  void ripemd160KnownAnswers(String message, String digest) {
    HashAlgorithm h = provider().hash("ripemd160").orElseThrow();
    assertEquals(20, h.digestLength());
    assertEquals(64, h.blockLength());
    HashFunction f = h.newInstance();
    byte[] m = message.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[20];
    // Fed in two pieces, then again whole: doFinal must start the function over.
    f.update(m, 0, m.length / 2);
    f.update(m, m.length / 2, m.length - m.length / 2);
    f.doFinal(out, 0);
    assertEquals(digest, HEX.formatHex(out));
    f.update(m, 0, m.length);
    f.doFinal(out, 0);
    assertEquals(digest, HEX.formatHex(out));
  }

  @Test
  void ripemd160OfAMillionAs() {
    HashFunction f = provider().hash("ripemd160").orElseThrow().newInstance();
    byte[] a = new byte[1000];
    java.util.Arrays.fill(a, (byte) 'a');
    for (int i = 0; i < 1000; i++) {
      f.update(a, 0, a.length);
    }
    byte[] out = new byte[20];
    f.doFinal(out, 0);
    assertEquals("52783243c1697bdbe16d37f97f68f08325dc1528", HEX.formatHex(out));
  }
}
