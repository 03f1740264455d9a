package io.github.qcow2nio.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedFileSystemException;
import org.junit.jupiter.api.Test;

class OpenResourcesTest {
  @Test
  void closeAllClosesEveryOneAndKeepsTheFirstFailure() {
    OpenResources r = new OpenResources();
    int[] closes = new int[1];
    IOException one = new IOException("one");
    IOException two = new IOException("two");
    r.register(() -> closes[0]++);
    r.register(() -> {
      throw one;
    });
    r.register(() -> {
      throw two;
    });
    assertEquals(3, r.count());
    IOException failure = r.closeAll(null);
    assertEquals(1, closes[0]);
    assertTrue(failure == one || failure == two);
    assertEquals(1, failure.getSuppressed().length);
    assertNull(new OpenResources().closeAll(null));
  }

  @Test
  void closeIsOnceAndLaterRegistrationsAreClosedAndRefused() {
    OpenResources r = new OpenResources();
    assertTrue(r.isOpen());
    r.checkOpen();
    assertTrue(r.markClosed());
    assertFalse(r.markClosed());
    assertFalse(r.isOpen());
    assertThrows(ClosedFileSystemException.class, r::checkOpen);
    boolean[] closed = new boolean[1];
    Closeable late = () -> closed[0] = true;
    assertThrows(ClosedFileSystemException.class, () -> r.register(late));
    assertTrue(closed[0]);
    assertEquals(0, r.count());
  }

  @Test
  void unregisterForgets() {
    OpenResources r = new OpenResources();
    Closeable c = () -> {};
    r.register(c);
    r.unregister(c);
    assertEquals(0, r.count());
  }

  @Test
  void addKeepsTheFirst() {
    IOException a = new IOException("a");
    IOException b = new IOException("b");
    assertSame(b, OpenResources.add(null, b));
    assertSame(a, OpenResources.add(a, b));
    assertArrayEquals(new Throwable[] {b}, a.getSuppressed());
  }
}
