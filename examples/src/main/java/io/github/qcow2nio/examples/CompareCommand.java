package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CompareOptions;
import io.github.qcow2nio.format.CompareResult;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ImageSource;
import io.github.qcow2nio.format.ProgressListener;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code qcow2 compare [-f FMT] [-F FMT] [-s] [-p] [-q] [-U] IMAGE1 IMAGE2}: what
 * {@code qemu-img compare} prints, with its exit status: 0 identical, 1 different, 2 when an
 * image cannot be read.
 */
public final class CompareCommand implements Command {

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err)
      throws IOException, CommandLine.UsageException {
    QemuOptions q = QemuOptions.parse(args, "f:F:T:spqU",
        Set.of("--force-share", "--image-opts"), Set.of("--object"));
    String format1 = null;
    String format2 = null;
    boolean strict = false;
    boolean progress = false;
    boolean quiet = false;
    boolean forceShare = false;
    for (String[] o : q.options()) {
      switch (o[0]) {
        case "f" -> format1 = o[1];
        case "F" -> format2 = o[1];
        case "s" -> strict = true;
        case "p" -> progress = true;
        case "q" -> quiet = true;
        case "U", "--force-share" -> forceShare = true;
        case "--image-opts", "--object" ->
            throw new CommandLine.UsageException(o[0] + " is not supported");
        default -> { }
      }
    }
    if (q.operands().size() != 2) {
      throw new CommandLine.UsageException("Expecting two image file names");
    }
    ProgressLine line = progress && !quiet ? new ProgressLine(out, 2.0) : null;
    CompareResult r;
    try {
      r = ImageOperations.compare(new CompareOptions(
          new ImageSource(Path.of(q.operands().get(0)), format1, null, forceShare),
          new ImageSource(Path.of(q.operands().get(1)), format2, null, forceShare), strict),
          line != null ? line : ProgressListener.NONE);
    } catch (IOException e) {
      // qemu-img compare: 2 when an image cannot be opened or read.
      err.println("qcow2: " + Main.message(e));
      return 2;
    } catch (UncheckedIOException e) {
      err.println("qcow2: " + Main.message(e.getCause()));
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("qcow2: " + e.getMessage());
      return 2;
    }
    if (!quiet) {
      out.print(r.message());
    }
    if (line != null) {
      line.newline();
    }
    return r.exitCode();
  }
}
