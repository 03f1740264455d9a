package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The read-ahead pipeline on its own: every step written once and in order, and on each way out
 * (a read that fails, a write that fails, a cancellation, an unchecked exception) the first
 * error is the call's, the reader thread has ended and every chunk is back in the pool when the
 * call returns.
 */
class CopyPipelineTest {
  private static final int DEPTH = 3;

  /** Steps numbered from 0, step i's buffer holding i; fails at step {@code failAt}. */
  private static final class Steps implements CopyPipeline.Reader {
    final AtomicReference<Thread> thread = new AtomicReference<>();
    final long count;
    final long failAt;
    long next;

    Steps(long count, long failAt) {
      this.count = count;
      this.failAt = failAt;
    }

    @Override
    public boolean next(CopyPipeline.Chunk c) throws IOException {
      thread.set(Thread.currentThread());
      if (next == failAt) {
        throw new IOException("read failed at step " + next);
      }
      if (next == count) {
        return false;
      }
      c.kind = CopyPipeline.Kind.DATA;
      c.offset = next;
      c.length = 1;
      c.buffer.clear();
      c.buffer.putLong(next).flip();
      next++;
      return true;
    }
  }

  private static void assertEnded(CopyPipeline p, Steps steps) {
    Thread t = steps.thread.get();
    assertNotNull(t, "the reader ran");
    assertFalse(t.isAlive(), "the reader thread outlived the call");
    assertEquals(CopyPipeline.THREAD_NAME, t.getName());
    assertEquals(DEPTH, p.available(), "every chunk back in the pool");
  }

  @Test
  void everyStepIsWrittenOnceInOrder() throws IOException {
    CopyPipeline p = new CopyPipeline(DEPTH, 64);
    Steps steps = new Steps(1000, -1);
    List<Long> written = new ArrayList<>();
    p.run(steps, c -> {
      assertEquals(c.offset, c.buffer.getLong(0));
      written.add(c.offset);
    }, () -> { });
    assertEquals(1000, written.size());
    for (int i = 0; i < written.size(); i++) {
      assertEquals(i, written.get(i));
    }
    assertEnded(p, steps);
  }

  @Test
  void aFailedReadIsTheCallsErrorAfterTheStepsBeforeIt() {
    CopyPipeline p = new CopyPipeline(DEPTH, 64);
    Steps steps = new Steps(Long.MAX_VALUE, 37);
    List<Long> written = new ArrayList<>();
    IOException e = assertThrows(IOException.class,
        () -> p.run(steps, c -> written.add(c.offset), () -> { }));
    assertEquals("read failed at step 37", e.getMessage());
    assertEquals(37, written.size(), "every step read before the failure was written");
    assertEnded(p, steps);
  }

  @Test
  void aFailedWriteStopsTheReader() {
    CopyPipeline p = new CopyPipeline(DEPTH, 64);
    Steps steps = new Steps(Long.MAX_VALUE, -1);
    IOException failure = new IOException("write failed");
    IOException e = assertThrows(IOException.class, () -> p.run(steps, c -> {
      if (c.offset == 20) {
        throw failure;
      }
    }, () -> { }));
    assertSame(failure, e);
    assertTrue(steps.next <= 20 + DEPTH + 1, "the reader stayed at most a pool ahead");
    assertEnded(p, steps);
  }

  @Test
  void aCancellationStopsBothSides() {
    CopyPipeline p = new CopyPipeline(DEPTH, 64);
    Steps steps = new Steps(Long.MAX_VALUE, -1);
    int[] checks = {0};
    assertThrows(InterruptedIOException.class, () -> p.run(steps, c -> { }, () -> {
      if (++checks[0] > 5) {
        throw new InterruptedIOException("cancelled");
      }
    }));
    assertEnded(p, steps);
  }

  @Test
  void anInterruptedCallerEndsAsCancelledWithNothingLeftRunning() {
    CopyPipeline p = new CopyPipeline(DEPTH, 64);
    Steps steps = new Steps(Long.MAX_VALUE, -1);
    try {
      assertThrows(InterruptedIOException.class, () -> p.run(steps, c -> {
        if (c.offset == 3) {
          Thread.currentThread().interrupt();
        }
      }, () -> Convert.checkCancelled((d, t) -> { })));
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
    } finally {
      Thread.interrupted();
    }
    assertEnded(p, steps);
  }

  @Test
  void anUncheckedExceptionOfTheReaderReachesTheCallerUnchanged() {
    CopyPipeline p = new CopyPipeline(DEPTH, 64);
    AtomicReference<Thread> thread = new AtomicReference<>();
    IllegalStateException bug = new IllegalStateException("bug");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.run(c -> {
      thread.set(Thread.currentThread());
      throw bug;
    }, c -> { }, () -> { }));
    assertSame(bug, e);
    assertFalse(thread.get().isAlive());
    assertEquals(DEPTH, p.available());
  }
}
