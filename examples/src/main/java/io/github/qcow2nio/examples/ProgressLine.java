package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * qemu-img's {@code -p} line: {@code "    (NN.NN/100%)\r"} each time the work advances by the
 * step (1% for convert, 2% for compare), and a newline at the end.
 */
final class ProgressLine implements ProgressListener {
  private final PrintStream out;
  private final double step;
  private double shown = -1;

  ProgressLine(PrintStream out, double step) {
    this.out = out;
    this.step = step;
  }

  @Override
  public void progress(long done, long total) {
    double percent = total <= 0 ? 100 : Math.min(100, done * 100.0 / total);
    if (shown < 0 || percent - shown >= step || percent == 100 && shown < 100) {
      shown = percent;
      out.print(String.format(Locale.ROOT, "    (%.2f/100%%)\r", percent));
      out.flush();
    }
  }

  /** convert's end: the final 100% once more and a newline. */
  void end() {
    out.print("    (100.00/100%)\r\n");
    out.flush();
  }

  /** compare's end: a newline after its message. */
  void newline() {
    out.print("\n");
    out.flush();
  }
}
