package io.github.qcow2nio.format.crypto;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * How many PBKDF2 iterations this machine does per second of CPU time, measured the way qemu-img
 * measures it before choosing LUKS iteration counts: run PBKDF2 over the real inputs starting at
 * 2^15 iterations, timing the thread's CPU time in whole milliseconds; under 100 ms multiply the
 * count by ten, from 100 to 500 ms scale it to a second's worth, and once a run takes more than
 * 500 ms scale that run to one second.
 */
final class Pbkdf2Timing {
  static final long START = 1L << 15;
  /** Beyond this a count times an iteration time in ms could overflow. */
  private static final long LIMIT = Long.MAX_VALUE / 100_000;

  private final LongSupplier cpuNanos;

  /** @param cpuNanos the current thread's CPU time in nanoseconds (any origin) */
  Pbkdf2Timing(LongSupplier cpuNanos) {
    this.cpuNanos = cpuNanos;
  }

  /** Timing by the thread's CPU time where the JVM measures it, else by the wall clock. */
  static Pbkdf2Timing threadCpu() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    if (mx.isCurrentThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled()) {
      return new Pbkdf2Timing(mx::getCurrentThreadCpuTime);
    }
    return new Pbkdf2Timing(System::nanoTime);
  }

  /** Iterations per second of PBKDF2 over {@code password} and {@code salt} to {@code outLength}. */
  long iterationsPerSecond(LuksHash hash, byte[] password, byte[] salt, int outLength) {
    return iterationsPerSecond(n -> Secrets.wipe(
        Pbkdf2.derive(hash, password, salt, (int) n, outLength)));
  }

  /** As above with {@code run} doing {@code n} iterations of the work measured. */
  long iterationsPerSecond(LongConsumer run) {
    long iterations = START;
    while (true) {
      long start = cpuNanos.getAsLong();
      run.accept(iterations);
      long deltaMs = (cpuNanos.getAsLong() - start) / 1_000_000;
      if (deltaMs > 500) {
        return iterations * 1000 / deltaMs;
      }
      // A clock too coarse to see the run counts it as short (qemu-img gives up instead).
      iterations = deltaMs < 100 ? iterations * 10 : iterations * 1000 / deltaMs;
      if (iterations > LIMIT || iterations > Integer.MAX_VALUE) {
        throw new IllegalStateException("PBKDF2 timing: " + iterations
            + " iterations still take under 500 ms of CPU time");
      }
    }
  }
}
