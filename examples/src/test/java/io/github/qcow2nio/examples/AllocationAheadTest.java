package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The allocated size looked up ahead gives what the lookup gives, failures included. */
class AllocationAheadTest {
  @TempDir Path dir;

  @Test
  void answersWhatTheLookupAnswersOncePerFile() throws IOException {
    Path file = Files.write(dir.resolve("f"), new byte[12345]);
    Path other = Files.write(dir.resolve("g"), new byte[7]);
    List<Path> asked = Collections.synchronizedList(new ArrayList<>());
    HostAllocation counting = p -> {
      asked.add(p);
      return Files.size(p) * 3;
    };
    AllocationAhead ahead = AllocationAhead.start(counting, file);
    assertEquals(12345 * 3, ahead.allocatedBytes(file));
    assertEquals(12345 * 3, ahead.allocatedBytes(file));
    assertEquals(7 * 3, ahead.allocatedBytes(other));
    assertEquals(List.of(file, other), asked);
    // The real lookup (stat, or the length) agrees with itself run ahead.
    HostAllocation real = HostAllocation.allocatedBlocks();
    assertEquals(real.allocatedBytes(file), AllocationAhead.start(real, file)
        .allocatedBytes(file));
  }

  @Test
  void failuresReachTheCallerUnchanged() {
    Path absent = dir.resolve("absent");
    NoSuchFileException e = assertThrows(NoSuchFileException.class,
        () -> AllocationAhead.start(HostAllocation.fileLength(), absent).allocatedBytes(absent));
    assertEquals(absent.toString(), e.getFile());
    UncheckedIOException boom = new UncheckedIOException(new IOException("boom"));
    HostAllocation throwing = p -> {
      throw boom;
    };
    assertSame(boom, assertThrows(UncheckedIOException.class,
        () -> AllocationAhead.start(throwing, absent).allocatedBytes(absent)));
  }
}
