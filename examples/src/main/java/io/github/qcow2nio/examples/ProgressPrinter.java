package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * qemu-img's {@code -p} line: {@code "    (NN.NN/100%)\r"} at the start and whenever the work has
 * advanced by {@code step} percent since the last line (qemu-img: 1 for convert, 2 for compare),
 * rewritten in place by the carriage return; {@link #finish} prints the last one and a newline
 * (as convert ends), {@link #newline} only the newline (as compare ends, after its message).
 */
class ProgressPrinter implements ProgressListener {
  /** For commands run without -p (or with -q): prints nothing. */
  static final ProgressPrinter NONE = new ProgressPrinter(null, 100) {
    @Override
    public void progress(long done, long total) {}

    @Override
    void finish() {}

    @Override
    void newline() {}
  };

  private final PrintStream out;
  private final double step;
  private double shown = -1;

  ProgressPrinter(PrintStream out, double step) {
    this.out = out;
    this.step = step;
  }

  /** {@code done} of {@code total} units of work are done (total 0: all of nothing). */
  @Override
  public void progress(long done, long total) {
    double percent = total <= 0 ? 100 : Math.min(100, Math.max(0, done * 100.0 / total));
    if (shown < 0 || percent - shown >= step || (percent == 100 && shown < 100)) {
      shown = percent;
      print(percent);
    }
  }

  /** The work is done: 100% once more, and the newline that ends the line. */
  void finish() {
    print(100);
    out.print("\n");
    out.flush();
  }

  /** Ends the line with its newline alone, as qemu-img compare -p does after its verdict. */
  void newline() {
    out.print("\n");
    out.flush();
  }

  private void print(double percent) {
    out.print(String.format(Locale.ROOT, "    (%.2f/100%%)\r", percent));
    out.flush();
  }
}
