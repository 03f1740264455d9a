package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.crypto.spi.BlockCipher;
import javax.crypto.Cipher;

/**
 * A keyed block function in one direction, over whole blocks in place: what every mode here is
 * built on. AES is the JDK's Cipher (AES-NI), called once per run of blocks as before; other
 * ciphers come from a provider module.
 */
abstract class Ecb {
  /** Processes the whole blocks {@code buf[off..off+len)} in place. */
  abstract void run(byte[] buf, int off, int len);

  static Ecb jdk(Cipher c) {
    return new Ecb() {
      @Override
      void run(byte[] buf, int off, int len) {
        Aes.run(c, buf, off, len);
      }
    };
  }

  static Ecb provided(BlockCipher c) {
    return new Ecb() {
      @Override
      void run(byte[] buf, int off, int len) {
        c.processBlocks(buf, off, len);
      }
    };
  }
}
