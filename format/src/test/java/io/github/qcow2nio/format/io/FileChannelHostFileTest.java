package io.github.qcow2nio.format.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileChannelHostFileTest {
  @TempDir Path dir;

  @Test
  void reopenFailureFromAClosedFileSystemIsAnIoException() throws IOException {
    Path f = dir.resolve("f");
    Files.write(f, new byte[100]);
    int[] opens = {0};
    FileChannel[] last = {null};
    FileChannelHostFile file = new FileChannelHostFile("f", () -> {
      if (opens[0]++ > 0) {
        throw new ClosedFileSystemException();
      }
      return last[0] = FileChannel.open(f);
    }, false);
    assertEquals(10, file.read(ByteBuffer.allocate(10), 0));
    last[0].close(); // as when the file system holding the file closes
    IOException e = assertThrows(IOException.class, () -> file.read(ByteBuffer.allocate(10), 0));
    assertTrue(e.getCause() instanceof ClosedFileSystemException, String.valueOf(e));
    file.close();
  }

  /**
   * Heap buffers are read through a page-aligned buffer of 1 MiB: every size (within one bounce,
   * across several, empty), a slice of a larger array, a read past the end of the file: the
   * same bytes and count as a direct buffer's read, which goes to the channel as it is.
   */
  @Test
  void heapReadsGiveWhatDirectReadsGive() throws IOException {
    Path f = dir.resolve("data");
    byte[] data = new byte[(5 << 20) / 2 + 123];
    new SplittableRandom(11).nextBytes(data);
    Files.write(f, data);
    SplittableRandom rnd = new SplittableRandom(12);
    int[] sizes = {0, 1, 4095, 4096, 65536, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20};
    try (FileChannelHostFile file = new FileChannelHostFile("data", () -> FileChannel.open(f),
        false)) {
      for (int size : sizes) {
        for (long pos : new long[] {0, 17, 4096, data.length - 100, data.length,
            data.length + 5, rnd.nextLong(data.length)}) {
          byte[] backing = new byte[size + 7];
          ByteBuffer heap = ByteBuffer.wrap(backing, 3, size).slice();
          ByteBuffer direct = ByteBuffer.allocateDirect(size);
          int n = file.read(heap, pos);
          assertEquals(file.read(direct, pos), n, size + " bytes at " + pos);
          int expected = (int) Math.max(0, Math.min(size, data.length - pos));
          assertEquals(expected, n, size + " bytes at " + pos);
          assertEquals(n, heap.position());
          byte[] got = Arrays.copyOfRange(backing, 3, 3 + n);
          assertArrayEquals(Arrays.copyOfRange(data, (int) Math.min(pos, data.length),
              (int) Math.min(pos, data.length) + n), got, size + " bytes at " + pos);
          byte[] viaDirect = new byte[n];
          direct.flip().get(viaDirect);
          assertArrayEquals(viaDirect, got);
          // Nothing written outside the slice.
          assertEquals(0, backing[0] | backing[1] | backing[2]);
          assertEquals(0, backing[backing.length - 1]);
        }
      }
    }
  }

  /**
   * A heap read whose channel reads another host file on the same thread before it answers (an
   * image whose host file is the disk of another image): each read gets its own bounce buffer,
   * and both give exactly their file's bytes.
   */
  @Test
  void aHeapReadInsideAHeapReadOnTheSameThread() throws IOException {
    byte[] inner = new byte[3 << 20];
    byte[] outer = new byte[(3 << 20) + 77];
    new SplittableRandom(21).nextBytes(inner);
    new SplittableRandom(22).nextBytes(outer);
    Path innerPath = dir.resolve("inner");
    Files.write(innerPath, inner);
    try (FileChannelHostFile innerFile = new FileChannelHostFile("inner",
        () -> FileChannel.open(innerPath), false);
        FileChannelHostFile outerFile = new FileChannelHostFile("outer",
            new NestingChannel(outer, innerFile, inner), false)) {
      ByteBuffer dst = ByteBuffer.allocate(outer.length);
      assertEquals(outer.length, outerFile.read(dst, 0));
      assertArrayEquals(outer, dst.array());
    }
  }

  /**
   * A read-only channel over {@code data} that, before each read, reads all of {@code inner}
   * through its host file into a heap buffer and checks it.
   */
  private static final class NestingChannel extends PositionalTestChannel {
    private final byte[] data;
    private final FileChannelHostFile inner;
    private final byte[] innerData;

    NestingChannel(byte[] data, FileChannelHostFile inner, byte[] innerData) {
      this.data = data;
      this.inner = inner;
      this.innerData = innerData;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      ByteBuffer b = ByteBuffer.allocate(innerData.length);
      assertEquals(innerData.length, inner.read(b, 0));
      assertArrayEquals(innerData, b.array());
      if (position >= data.length) {
        return -1;
      }
      int n = (int) Math.min(dst.remaining(), data.length - position);
      dst.put(data, (int) position, n);
      return n;
    }

    @Override
    public long size() {
      return data.length;
    }

    @Override
    public int write(ByteBuffer src, long position) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileChannel truncate(long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void force(boolean metaData) {}

    @Override
    protected void implCloseChannel() {}
  }

  @Test
  void pageAlignedBuffersStartOnAPageAndHaveTheCapacityAsked() {
    for (int capacity : new int[] {1, 4095, 4096, 4097, (2 << 20) + 1}) {
      ByteBuffer b = Buffers.pageAligned(capacity);
      assertTrue(b.isDirect());
      assertEquals(0, b.alignmentOffset(0, 4096), "capacity " + capacity);
      assertEquals(capacity, b.capacity());
      assertEquals(0, b.position());
      assertEquals(capacity, b.limit());
    }
  }
}
