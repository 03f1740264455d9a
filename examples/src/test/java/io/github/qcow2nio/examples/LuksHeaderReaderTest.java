package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.io.MemoryHostFile;
import io.github.qcow2nio.format.struct.CryptoHeaderPointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The LUKS header reader on damaged bytes (its output on real headers is compared with qemu-img
 * in InfoAgainstQemuTest): it returns or throws an IOException, whatever the bytes and pointer.
 */
class LuksHeaderReaderTest {

  @Test
  void noMagicOrShortHeaderIsAnIoException() {
    byte[] file = new byte[8192];
    MemoryHostFile host = new MemoryHostFile("x.qcow2", file, false);
    assertThrows(IOException.class,
        () -> LuksHeaderReader.read(host, new CryptoHeaderPointer(4096, 4096)));
    ByteBuffer.wrap(file).put(4096, new byte[] {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE})
        .putShort(4102, (short) 1);
    assertThrows(IOException.class,
        () -> LuksHeaderReader.read(host, new CryptoHeaderPointer(4096, 100)));
    assertThrows(IOException.class,
        () -> LuksHeaderReader.read(host, new CryptoHeaderPointer(8192 - 512, 4096)));
  }

  @Test
  void randomHeadersReadOrFailCleanly() throws IOException {
    Random random = new Random(11);
    int read = 0;
    for (int round = 0; round < 2000; round++) {
      byte[] file = new byte[4096 + 1024];
      random.nextBytes(file);
      ByteBuffer.wrap(file).put(4096, new byte[] {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE})
          .putShort(4102, (short) (random.nextInt(8) == 0 ? random.nextInt() : 1));
      long length = random.nextBoolean() ? 4096 : random.nextLong();
      MemoryHostFile host = new MemoryHostFile("x.qcow2", file, false);
      try {
        LuksHeaderReader.read(host, new CryptoHeaderPointer(4096, length));
        read++;
      } catch (IOException expected) {
        // Fine: a named error.
      } catch (RuntimeException e) {
        fail("round " + round + " threw " + e, e);
      }
    }
    assertTrue(read > 100, "too few headers got through to the field parsing: " + read);
  }
}
