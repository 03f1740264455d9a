package io.github.qcow2nio.format.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.qcow2nio.format.crypto.SectorCipher.Mode;
import io.github.qcow2nio.format.crypto.spi.BlockCipher;
import io.github.qcow2nio.format.crypto.spi.BlockCipherAlgorithm;
import io.github.qcow2nio.format.crypto.spi.HashAlgorithm;
import io.github.qcow2nio.format.crypto.spi.HashFunction;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Random;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The path a provider module's algorithms take, proved without one: the JDK's AES and SHA-256
 * handed in through the SPI as if they came from a module must give what the built-in AES and
 * SHA-256 give, in every mode, in PBKDF2 (the RFC 2104 HMAC written for provided hashes against
 * the published vectors) and in the splitter.
 */
class ProvidedAlgorithmsTest {
  /** The JDK's AES as a provider would offer it. */
  static final BlockCipherAlgorithm AES_VIA_SPI = new BlockCipherAlgorithm() {
    @Override
    public int blockSize() {
      return 16;
    }

    @Override
    public boolean isKeyLength(int bytes) {
      return Aes.validKeyLength(bytes);
    }

    @Override
    public BlockCipher newInstance(byte[] key, int off, int len, boolean encrypt) {
      Cipher c = Aes.ecb(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, key, off, len);
      return (buf, o, n) -> Aes.run(c, buf, o, n);
    }
  };

  /** The JDK's hash {@code name} as a provider would offer it. */
  static HashAlgorithm viaSpi(String name, int length, int block) {
    return new HashAlgorithm() {
      @Override
      public int digestLength() {
        return length;
      }

      @Override
      public int blockLength() {
        return block;
      }

      @Override
      public HashFunction newInstance() {
        MessageDigest md;
        try {
          md = MessageDigest.getInstance(name);
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
        return new HashFunction() {
          @Override
          public void update(byte[] b, int off, int len) {
            md.update(b, off, len);
          }

          @Override
          public void doFinal(byte[] out, int off) {
            try {
              md.digest(out, off, length);
            } catch (DigestException e) {
              throw new IllegalStateException(e);
            }
          }
        };
      }
    };
  }

  static final LuksCipher PROVIDED_AES = LuksCipher.provided("aes", AES_VIA_SPI);
  static final LuksHash PROVIDED_SHA256 =
      LuksHash.provided("sha256", viaSpi("SHA-256", 32, 64));

  @ParameterizedTest
  @EnumSource(Mode.class)
  void everyModeOverAProvidedCipherMatchesTheBuiltInOne(Mode mode) {
    Random r = new Random(mode.ordinal());
    for (int keyBytes : mode == Mode.XTS ? new int[] {32, 64} : new int[] {16, 32}) {
      byte[] key = new byte[keyBytes];
      r.nextBytes(key);
      byte[] data = new byte[8 * 512 + (mode == Mode.CBC || mode == Mode.ECB ? 256 : 100)];
      r.nextBytes(data);
      for (boolean essiv : new boolean[] {false, true}) {
        SectorCipher builtIn = new SectorCipher(LuksCipher.AES, mode, key,
            essiv ? IvGenerator.essiv(LuksHash.SHA256, key) : IvGenerator.plain64());
        SectorCipher provided = new SectorCipher(PROVIDED_AES, mode, key,
            essiv ? IvGenerator.essiv(PROVIDED_AES, PROVIDED_SHA256, key)
                : IvGenerator.plain64());
        byte[] a = data.clone();
        byte[] b = data.clone();
        builtIn.encrypt(a, 0, a.length, 77);
        provided.encrypt(b, 0, b.length, 77);
        assertArrayEquals(a, b, mode + " " + keyBytes + " essiv " + essiv);
        provided.decrypt(b, 0, b.length, 77);
        assertArrayEquals(data, b);
      }
    }
  }

  @Test
  void pbkdf2OverTheWrittenOutHmacMeetsRfc7914() {
    // RFC 7914 section 11, the first PBKDF2-HMAC-SHA256 vector.
    byte[] out = Pbkdf2.derive(PROVIDED_SHA256, "passwd".getBytes(StandardCharsets.US_ASCII),
        "salt".getBytes(StandardCharsets.US_ASCII), 1, 64);
    assertEquals("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783", Hex.of(out));
  }

  @Test
  void theWrittenOutHmacEqualsTheJdksForEveryKeyLength() {
    Random r = new Random(5);
    LuksHash sha512 = LuksHash.provided("sha512", viaSpi("SHA-512", 64, 128));
    for (LuksHash[] pair : new LuksHash[][] {{LuksHash.SHA256, PROVIDED_SHA256},
        {LuksHash.SHA512, sha512}}) {
      // Empty, short, exactly a block, and longer than a block (hashed first).
      for (int keyLength : new int[] {0, 1, 20, 64, 65, 128, 129, 300}) {
        byte[] key = new byte[keyLength];
        r.nextBytes(key);
        byte[] message = new byte[r.nextInt(500)];
        r.nextBytes(message);
        Hmac jdk = pair[0].newHmac(key);
        Hmac ours = pair[1].newHmac(key);
        byte[] a = new byte[jdk.length()];
        byte[] b = new byte[ours.length()];
        for (int round = 0; round < 2; round++) {
          jdk.update(message, 0, message.length);
          jdk.doFinal(a, 0);
          ours.update(message, 0, message.length);
          ours.doFinal(b, 0);
          assertArrayEquals(a, b, pair[0] + " key " + keyLength + " round " + round);
        }
      }
    }
  }

  @Test
  void theSplitterOverAProvidedHashMatchesTheBuiltInOne() {
    byte[] material = new byte[32 * 50];
    new Random(9).nextBytes(material);
    assertArrayEquals(AfSplitter.merge(material, 32, 50, LuksHash.SHA256),
        AfSplitter.merge(material, 32, 50, PROVIDED_SHA256));
  }

  @Test
  void anEightByteBlockCipherCannotDoXts() {
    BlockCipherAlgorithm eight = new BlockCipherAlgorithm() {
      @Override
      public int blockSize() {
        return 8;
      }

      @Override
      public boolean isKeyLength(int bytes) {
        return bytes == 16;
      }

      @Override
      public BlockCipher newInstance(byte[] key, int off, int len, boolean encrypt) {
        return (buf, o, n) -> { };
      }
    };
    LuksCipher c = LuksCipher.provided("cast5", eight);
    assertThrows(IllegalArgumentException.class, () -> new Xts(c, new byte[32]));
  }
}
