package io.github.qcow2nio.format.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * AF-split and AF-merge are inverses for every hash and key length LUKS uses, and every stripe
 * matters. (That merge is LUKS's merge is proven by unlocking images qemu-img made.)
 */
class AfSplitterTest {
  @Test
  void mergeUndoesSplit() throws Exception {
    SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
    random.setSeed(6070);
    for (LuksHash hash : LuksHash.values()) {
      for (int keyLen : new int[] {16, 24, 64, 65}) {
        byte[] key = new byte[keyLen];
        random.nextBytes(key);
        byte[] material = AfSplitter.split(key, LuksHeader.STRIPES, hash, random);
        assertEquals(keyLen * LuksHeader.STRIPES, material.length);
        assertArrayEquals(key, AfSplitter.merge(material, keyLen, LuksHeader.STRIPES, hash),
            hash + " " + keyLen);
      }
    }
  }

  @Test
  void everyStripeMatters() {
    Random r = new Random(42);
    byte[] key = new byte[32];
    r.nextBytes(key);
    SecureRandom random = new SecureRandom();
    byte[] material = AfSplitter.split(key, 50, LuksHash.SHA256, random);
    for (int stripe = 0; stripe < 50; stripe++) {
      byte[] damaged = material.clone();
      damaged[stripe * 32 + r.nextInt(32)] ^= 1;
      assertFalse(Arrays.equals(key, AfSplitter.merge(damaged, 32, 50, LuksHash.SHA256)),
          "stripe " + stripe);
    }
  }

  @Test
  void oneStripeIsTheKeyItself() {
    byte[] key = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    assertArrayEquals(key, AfSplitter.merge(key.clone(), 16, 1, LuksHash.SHA1));
  }
}
