package io.github.qcow2nio.bench;

/**
 * Best-of-N wall-clock timing of a row's sides, their rounds taken in turn. The machine is shared:
 * noise only ever adds time, so the fastest round is the closest to what the code costs; and
 * whatever drifts during a row (another process, page reclaim evicting a file the row reads, the
 * disk writing back the last round's output) falls on every side alike instead of on whichever
 * side ran its rounds last.
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
   * had compiled the walk yet, and a 40 ms process by one scheduling hiccup. Every side gets the
   * rule alike.
   */
  private static final int SHORT_ROUNDS = 10;

  private static final long SHORT_NANOS = 1_000_000_000L;

  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  /**
   * One side of a row: {@code before} runs untimed ahead of each of its rounds (deleting the last
   * round's output, so each round writes a new file), {@code work} is timed.
   */
  record Side(Work before, Work work) {
    static Side of(Work work) {
      return new Side(() -> { }, work);
    }
  }

  /**
   * Runs the sides' rounds in turn (first, second, ..., first, second, ...), each side up to
   * {@code rounds} times (more if its rounds are short, fewer past the budget), and returns each
   * side's fastest round in nanoseconds, in the order given.
   */
  static long[] alternate(int rounds, Side... sides) throws Exception {
    long[] best = new long[sides.length];
    long[] spent = new long[sides.length];
    java.util.Arrays.fill(best, Long.MAX_VALUE);
    for (int i = 0; ; i++) {
      boolean any = false;
      for (int k = 0; k < sides.length; k++) {
        if (!wantsRound(i, rounds, spent[k])) {
          continue;
        }
        any = true;
        sides[k].before().run();
        long t0 = System.nanoTime();
        sides[k].work().run();
        long took = System.nanoTime() - t0;
        best[k] = Math.min(best[k], took);
        spent[k] += took;
      }
      if (!any) {
        return best;
      }
    }
  }

  /** As {@link #alternate} for the usual row of two sides: ours, then the reference. */
  static long[] pair(int rounds, Work ours, Work reference) throws Exception {
    return alternate(rounds, Side.of(ours), Side.of(reference));
  }

  private static boolean wantsRound(int done, int rounds, long spent) {
    return (done < rounds || done < SHORT_ROUNDS && spent < SHORT_NANOS) && spent < BUDGET_NANOS;
  }
}
