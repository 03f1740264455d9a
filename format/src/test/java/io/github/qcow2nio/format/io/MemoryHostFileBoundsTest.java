package io.github.qcow2nio.format.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * An in-memory file refuses what it cannot hold with an IOException naming the file: a hostile
 * image can ask for a write at any offset below 2^56, and that is the image's fault, not a
 * programming error (it used to be an IllegalArgumentException).
 */
class MemoryHostFileBoundsTest {
  @Test
  void writesPastTwoGiBAndNegativePositionsAreIoExceptions() throws IOException {
    MemoryHostFile f = new MemoryHostFile("m", new byte[16], true);
    IOException far = assertThrows(IOException.class,
        () -> f.write(ByteBuffer.allocate(8), 3L << 30));
    assertTrue(far.getMessage().startsWith("m: "), far.getMessage());
    assertThrows(IOException.class, () -> f.write(ByteBuffer.allocate(8), -8));
    assertThrows(IOException.class, () -> f.read(ByteBuffer.allocate(8), -1));
    assertThrows(IOException.class, () -> f.truncate(3L << 30));
    assertThrows(IOException.class, () -> f.truncate(-1));
    // Within the bound nothing changed.
    f.write(ByteBuffer.wrap(new byte[] {7}), 100);
    assertEquals(101, f.size());
    ByteBuffer b = ByteBuffer.allocate(1);
    assertEquals(1, f.read(b, 100));
    assertEquals(7, b.get(0));
  }

  /** A bounded file is a nearly full disk: it fills up to its bound, then refuses, unchanged. */
  @Test
  void aBoundedFileRefusesToGrowPastItsBound() throws IOException {
    MemoryHostFile f = new MemoryHostFile("m", new byte[16], true, 4096);
    f.write(ByteBuffer.wrap(new byte[4080]), 16);
    assertEquals(4096, f.size());
    IOException full = assertThrows(IOException.class,
        () -> f.write(ByteBuffer.allocate(1), 4096));
    assertTrue(full.getMessage().startsWith("m: No space left on device"), full.getMessage());
    assertThrows(IOException.class, () -> f.write(ByteBuffer.allocate(8), 128L << 20));
    assertThrows(IOException.class, () -> f.truncate(4097));
    assertEquals(4096, f.size());
    f.truncate(10);
    assertEquals(10, f.size());
    // A bound below the contents is the contents' size: what is there stays readable.
    MemoryHostFile small = new MemoryHostFile("s", new byte[64], true, 8);
    assertEquals(64, small.size());
    assertThrows(IOException.class, () -> small.write(ByteBuffer.allocate(1), 64));
  }
}
