package io.github.qcow2nio.format.ops;

/**
 * Waits that must not end early: a copy's helper threads (its reader, its writers, an early
 * write-back) still running after the call returned would touch files the caller believes are
 * settled. An interrupt during the wait is kept for the caller, not acted on.
 */
final class Uninterruptibly {
  private Uninterruptibly() {}

  /** One step of a wait: true once what is awaited has happened. */
  @FunctionalInterface
  interface Step {
    boolean done() throws InterruptedException;
  }

  /** Repeats {@code step} until it is done, through any interrupts. */
  static void await(Step step) {
    boolean interrupted = false;
    while (true) {
      try {
        if (step.done()) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until {@code thread} has ended. */
  static void join(Thread thread) {
    await(() -> {
      thread.join();
      return true;
    });
  }
}
