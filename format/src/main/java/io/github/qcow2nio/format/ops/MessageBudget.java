package io.github.qcow2nio.format.ops;

import java.util.function.Consumer;

/**
 * The problem lines one reference walk prints, at most {@link #MAX_LINES}. {@code qemu-img
 * check} prints a line per problem per walk of a table; a table shared by 65,536 snapshots would
 * print its lines 65,536 times. Past the budget the problems are still counted, and one line
 * says that the rest are not shown. A damaged image of ordinary size stays far below it.
 */
final class MessageBudget {
  static final long MAX_LINES = 100_000;

  private final Consumer<String> sink;
  private long left = MAX_LINES;
  private boolean toldOmitted;

  MessageBudget(Consumer<String> sink) {
    this.sink = sink;
  }

  /** Whether another line would still be shown. */
  boolean open() {
    return left > 0;
  }

  void print(String line) {
    print(line, 1);
  }

  /** {@code line}, {@code times} times, as far as the budget goes. */
  void print(String line, long times) {
    for (long i = 0; i < times; i++) {
      if (left <= 0) {
        skip();
        return;
      }
      left--;
      sink.accept(line);
    }
  }

  /** A line past the budget, not even made: the first one says that lines are omitted. */
  void skip() {
    if (!toldOmitted) {
      toldOmitted = true;
      sink.accept("ERROR: more than " + MAX_LINES + " problems; the rest are counted but "
          + "not shown");
    }
  }
}
