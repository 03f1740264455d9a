package io.github.qcow2nio.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.nio.MemProvider.MemFile;
import io.github.qcow2nio.nio.MemProvider.MemFileSystem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The FileChannel contract the shared channel gives every source, over an in-memory file. */
class PositionalFileChannelTest {
  private static final AtomicInteger NEXT = new AtomicInteger();

  private final MemProvider provider = new MemProvider();
  private final MemFile file = new MemFile("0123456789".getBytes(StandardCharsets.US_ASCII));
  private MemFileSystem fs;

  @BeforeEach
  void open() throws IOException {
    fs = provider.open(URI.create("file:///chan" + NEXT.incrementAndGet()), Map.of("f", file),
        false);
  }

  @AfterEach
  void close() throws IOException {
    fs.close();
  }

  private FileChannel channel(OpenOption... options) throws IOException {
    return provider.newFileChannel(fs.getPath("/f"), Set.of(options));
  }

  /** What a target channel does with each buffer it is given: how much it took. */
  @FunctionalInterface
  private interface Take {
    int write(ByteBuffer src) throws IOException;
  }

  /** A target channel, always open, whose writes {@code take} makes. */
  private static WritableByteChannel target(Take take) {
    return new WritableByteChannel() {
      @Override
      public int write(ByteBuffer src) throws IOException {
        return take.write(src);
      }

      @Override
      public boolean isOpen() {
        return true;
      }

      @Override
      public void close() {}
    };
  }

  private static String string(ByteBuffer b) {
    return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
  }

  @Test
  void readsMoveThePositionAndPositionalReadsDoNot() throws IOException {
    try (FileChannel ch = channel(StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(4);
      assertEquals(4, ch.read(b));
      assertEquals("0123", string(b));
      assertEquals(4, ch.position());
      b.clear();
      assertEquals(4, ch.read(b, 6));
      assertEquals("6789", string(b));
      assertEquals(4, ch.position());
      assertEquals(-1, ch.read(ByteBuffer.allocate(1), 10));
      ch.position(10);
      assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
      assertEquals(10, ch.position());
    }
  }

  @Test
  void scatteringSkipsEmptyBuffersAndStopsAtAShortRead() throws IOException {
    try (FileChannel ch = channel(StandardOpenOption.READ)) {
      ByteBuffer a = ByteBuffer.allocate(3);
      ByteBuffer empty = ByteBuffer.allocate(0);
      ByteBuffer b = ByteBuffer.allocate(20);
      ByteBuffer c = ByteBuffer.allocate(5);
      assertEquals(10, ch.read(new ByteBuffer[] {a, empty, b, c}));
      assertEquals("012", string(a));
      assertEquals("3456789", string(b));
      assertEquals(0, c.position());
      assertEquals(-1, ch.read(new ByteBuffer[] {c}));
      assertThrows(IndexOutOfBoundsException.class, () -> ch.read(new ByteBuffer[] {c}, 1, 1));
    }
  }

  @Test
  void writesGatherGrowAndAppendAtTheEnd() throws IOException {
    try (FileChannel ch = channel(StandardOpenOption.WRITE)) {
      ch.position(8);
      assertEquals(4, ch.write(new ByteBuffer[] {bytes("ab"), bytes("cd")}));
      assertEquals(12, ch.position());
      assertEquals("01234567abcd", new String(file.bytes, StandardCharsets.US_ASCII));
    }
    try (FileChannel ch = channel(StandardOpenOption.APPEND)) {
      ch.position(0);
      ch.write(bytes("!"));
      assertEquals(13, ch.position());
      assertEquals("01234567abcd!", new String(file.bytes, StandardCharsets.US_ASCII));
    }
  }

  @Test
  void syncForcesEveryWriteThatWritesAndNothingElse() throws IOException {
    try (FileChannel ch = channel(StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
      ch.write(bytes("x"), 0);
      ch.write(bytes(""), 0);
      assertEquals(1, file.forces);
      ch.force(false);
      assertEquals(2, file.forces);
    }
  }

  @Test
  void modesAreCheckedAfterArgumentsAndAfterTheClosedState() throws IOException {
    FileChannel ro = channel(StandardOpenOption.READ);
    assertThrows(NonWritableChannelException.class, () -> ro.write(bytes("x")));
    assertThrows(NonWritableChannelException.class, () -> ro.truncate(1));
    assertThrows(NonWritableChannelException.class, () -> ro.tryLock(0, 1, false));
    assertThrows(IllegalArgumentException.class, () -> ro.read(ByteBuffer.allocate(1), -1));
    assertThrows(IllegalArgumentException.class, () -> ro.position(-1));
    assertThrows(IllegalArgumentException.class, () -> ro.transferTo(-1, 1, null));
    ro.close();
    assertThrows(ClosedChannelException.class, () -> ro.write(bytes("x")));
    assertThrows(ClosedChannelException.class, ro::size);
    assertThrows(ClosedChannelException.class, () -> ro.read(ByteBuffer.allocate(1), 0));
    FileChannel wo = channel(StandardOpenOption.WRITE);
    assertThrows(NonReadableChannelException.class, () -> wo.read(ByteBuffer.allocate(1)));
    assertThrows(NonReadableChannelException.class, () -> wo.tryLock(0, 1, true));
    wo.close();
  }

  @Test
  void truncateCutsAndPullsThePositionBack() throws IOException {
    try (FileChannel ch = channel(StandardOpenOption.WRITE)) {
      ch.position(9);
      ch.truncate(20);
      assertEquals(10, ch.size());
      assertEquals(9, ch.position());
      ch.truncate(4);
      assertEquals(4, ch.size());
      assertEquals(4, ch.position());
      ch.position(7);
      ch.truncate(5);
      assertEquals(5, ch.position(), "past the size, the position comes back even if nothing "
          + "is cut");
    }
  }

  @Test
  void transferToStopsAtTheEndAndAtAFullTarget() throws IOException {
    try (FileChannel ch = channel(StandardOpenOption.READ)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertEquals(7, ch.transferTo(3, 100, Channels.newChannel(out)));
      assertEquals("3456789", out.toString(StandardCharsets.US_ASCII));
      assertEquals(0, ch.transferTo(10, 5, Channels.newChannel(out)));
      int[] left = {2};
      WritableByteChannel takesTwo = target(src -> {
        int n = Math.min(left[0], src.remaining());
        src.position(src.position() + n);
        left[0] -= n;
        return n;
      });
      assertEquals(2, ch.transferTo(0, 10, takesTwo));
    }
  }

  /**
   * Transfers go in chunks of 1 MiB through a buffer each thread keeps: a transfer of several
   * chunks arrives whole, and a transfer started inside another on the same thread (here a
   * target that copies from a second channel each time it is written to) gets a buffer of its
   * own instead of overwriting the one the outer transfer is writing from.
   */
  @Test
  void transfersOfSeveralChunksAndATransferInsideATransfer() throws IOException {
    byte[] big = new byte[(5 << 20) / 2 + 3];
    new java.util.Random(5).nextBytes(big);
    MemFileSystem bigFs = provider.open(URI.create("file:///chan" + NEXT.incrementAndGet()),
        Map.of("g", new MemFile(big)), false);
    try (FileChannel outer = provider.newFileChannel(bigFs.getPath("/g"),
        Set.of(StandardOpenOption.READ)); FileChannel inner = channel(StandardOpenOption.READ)) {
      ByteArrayOutputStream copied = new ByteArrayOutputStream();
      ByteArrayOutputStream nested = new ByteArrayOutputStream();
      WritableByteChannel copying = target(src -> {
        assertEquals(10, inner.transferTo(0, 10, Channels.newChannel(nested)));
        int n = src.remaining();
        byte[] b = new byte[n];
        src.get(b);
        copied.write(b, 0, n);
        return n;
      });
      assertEquals(big.length, outer.transferTo(0, big.length, copying));
      assertArrayEquals(big, copied.toByteArray());
      String inside = nested.toString(StandardCharsets.US_ASCII);
      assertTrue(inside.length() >= 30, "one transfer inside per chunk: " + inside.length());
      assertEquals("0123456789".repeat(inside.length() / 10), inside);
    } finally {
      bigFs.close();
    }
  }

  @Test
  void transferFromWritesWhatItReadsButNotPastTheSize() throws IOException {
    try (FileChannel ch = channel(StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      assertEquals(3, ch.transferFrom(Channels.newChannel(
          new java.io.ByteArrayInputStream("abcdef".getBytes())), 8, 3));
      assertEquals("01234567abc", new String(file.bytes, StandardCharsets.US_ASCII));
      assertEquals(0, ch.transferFrom(Channels.newChannel(
          new java.io.ByteArrayInputStream("z".getBytes())), 12, 1));
      assertEquals(11, ch.size());
    }
  }

  @Test
  void locksAreThisJvmsAndEndWithTheChannel() throws IOException {
    FileChannel ch = channel(StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock l = ch.lock(0, 5, false);
    assertTrue(l.isValid());
    l.release();
    assertFalse(l.isValid());
    FileLock shared = ch.tryLock(0, 5, true);
    assertTrue(shared.isShared());
    ch.close();
    assertFalse(shared.isValid());
  }

  @Test
  void closingTheChannelLetsItsFileSystemForgetIt() throws IOException {
    FileChannel ch = channel(StandardOpenOption.READ);
    assertEquals(1, fs.open());
    ch.close();
    assertEquals(0, fs.open());
  }

  @Test
  void streamsWorkThroughTheChannel() throws IOException {
    try (FileChannel ch = channel(StandardOpenOption.READ)) {
      assertArrayEquals("0123456789".getBytes(), Channels.newInputStream(ch).readAllBytes());
    }
  }

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }
}
