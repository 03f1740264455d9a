package io.github.qcow2nio.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.ClosedDirectoryStreamException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class BatchedDirectoryStreamTest {
  private final TestPath dir = TestPath.of("/d");
  private final List<DirectoryStream<?>> closed = new ArrayList<>();

  private static List<String> names(Iterator<Path> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(p -> out.add(p.toString()));
    return out;
  }

  @Test
  void batchesJoinEmptyOnesIncludedAndTheFilterApplies() {
    Deque<List<String>> source = new ArrayDeque<>(
        List.of(List.of("a", "bb"), List.of(), List.of("c", "dd")));
    var s = new BatchedDirectoryStream(dir, source::poll,
        p -> p.getFileName().toString().length() == 1, closed::add);
    assertEquals(List.of("/d/a", "/d/c"), names(s.iterator()));
    s.close();
    assertEquals(List.of(s), closed);
  }

  @Test
  void oneIteratorOnlyAndNoneAfterClose() {
    var s = BatchedDirectoryStream.of(dir, List.of("a"), null, closed::add);
    Iterator<Path> it = s.iterator();
    assertThrows(IllegalStateException.class, s::iterator);
    s.close();
    assertFalse(it.hasNext());
    assertThrows(NoSuchElementException.class, it::next);
    var t = BatchedDirectoryStream.of(dir, List.of("a"), null, closed::add);
    t.close();
    assertThrows(ClosedDirectoryStreamException.class, t::iterator);
  }

  @Test
  void ioExceptionsOfSourceAndFilterAreWrapped() {
    var bad = new BatchedDirectoryStream(dir, () -> {
      throw new IOException("bad block");
    }, null, closed::add);
    DirectoryIteratorException e =
        assertThrows(DirectoryIteratorException.class, () -> bad.iterator().hasNext());
    assertEquals("bad block", e.getCause().getMessage());
    var filterFails = BatchedDirectoryStream.of(dir, List.of("a"), p -> {
      throw new IOException("filter");
    }, closed::add);
    assertThrows(DirectoryIteratorException.class, () -> filterFails.iterator().hasNext());
  }

  @Test
  void sourceIsNotAskedAgainOnceExhausted() {
    int[] calls = new int[1];
    var s = new BatchedDirectoryStream(dir, () -> {
      calls[0]++;
      return null;
    }, null, closed::add);
    Iterator<Path> it = s.iterator();
    assertFalse(it.hasNext());
    assertFalse(it.hasNext());
    assertEquals(1, calls[0]);
    assertTrue(closed.isEmpty());
  }
}
