package io.github.qcow2nio.format.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
