package io.github.qcow2nio.bench;

/**
 * Best-of-N wall-clock timing. The machine is shared: noise only ever adds time, so the fastest
 * round is the closest to what the code costs, and both sides of a row get the same rounds.
 */
final class Timing {
  private Timing() {}

  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work} {@code rounds} times and returns the fastest, in nanoseconds. */
  static long best(int rounds, Work work) throws Exception {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < rounds; i++) {
      long t0 = System.nanoTime();
      work.run();
      best = Math.min(best, System.nanoTime() - t0);
    }
    return best;
  }

  /**
   * As {@link #best}, with {@code before} run untimed ahead of every round (deleting the last
   * round's output, so each round writes a new file).
   */
  static long best(int rounds, Work before, Work work) throws Exception {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < rounds; i++) {
      before.run();
      long t0 = System.nanoTime();
      work.run();
      best = Math.min(best, System.nanoTime() - t0);
    }
    return best;
  }
}
