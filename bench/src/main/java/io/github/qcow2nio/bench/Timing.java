package io.github.qcow2nio.bench;

/**
 * Best-of-N wall-clock timing. The machine is shared: noise only ever adds time, so the fastest
 * round is the closest to what the code costs, and both sides of a row get the same rounds
 * (unless one runs past the budget below).
 */
final class Timing {
  private Timing() {}

  /**
   * Rounds stop early once a side has used this much: a slow side (deflate compression at full
   * scale) then gets fewer rounds, which can only count against it, and the run stays short.
   */
  private static final long BUDGET_NANOS = 60_000_000_000L;

  /**
   * A side whose rounds are short gets more of them, up to this many or until it has spent
   * {@link #SHORT_NANOS}: a check of 50 ms in-process is otherwise decided by whether the JIT
   * had compiled the walk yet, and a 40 ms process by one scheduling hiccup. Both sides of a row
   * get the rule alike.
   */
  private static final int SHORT_ROUNDS = 10;

  private static final long SHORT_NANOS = 1_000_000_000L;

  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work} up to {@code rounds} times and returns the fastest, in nanoseconds. */
  static long best(int rounds, Work work) throws Exception {
    return best(rounds, () -> { }, work);
  }

  /**
   * As {@link #best}, with {@code before} run untimed ahead of every round (deleting the last
   * round's output, so each round writes a new file).
   */
  static long best(int rounds, Work before, Work work) throws Exception {
    long best = Long.MAX_VALUE;
    long spent = 0;
    for (int i = 0; (i < rounds || i < SHORT_ROUNDS && spent < SHORT_NANOS)
        && spent < BUDGET_NANOS; i++) {
      before.run();
      long t0 = System.nanoTime();
      work.run();
      long took = System.nanoTime() - t0;
      best = Math.min(best, took);
      spent += took;
    }
    return best;
  }
}
