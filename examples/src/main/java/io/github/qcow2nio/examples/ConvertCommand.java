package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.ConvertOptions;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ImageSource;
import io.github.qcow2nio.format.ProgressListener;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code qcow2 convert [-f FMT] [-O FMT] [-o OPTIONS] [-B BACKING [-F FMT]] [-l SNAPSHOT] [-S
 * SIZE] [-n] [-c] [-p] [-q] [-U] [-W] [-m N] [--bitmaps] SOURCE TARGET}: what
 * {@code qemu-img convert} does, through {@link ImageOperations#convert}. The target stays
 * sparse: zero ranges and runs of zeros of at least {@code -S} bytes (4 KiB) are not written.
 */
public final class ConvertCommand implements Command {

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err)
      throws IOException, CommandLine.UsageException {
    QemuOptions q = QemuOptions.parse(args, "f:O:o:B:F:l:S:m:t:T:r:cpqnUWC",
        Set.of("--bitmaps", "--force-share", "--target-is-zero", "--skip-broken-bitmaps"),
        Set.of());
    String format = null;
    String outFormat = "raw";
    String backing = null;
    String backingFormat = null;
    String snapshot = null;
    long sparse = ConvertOptions.DEFAULT_SPARSE_SIZE;
    boolean progress = false;
    boolean quiet = false;
    boolean noCreate = false;
    boolean compress = false;
    boolean forceShare = false;
    boolean bitmaps = false;
    Map<String, String> create = new LinkedHashMap<>();
    for (String[] o : q.options()) {
      String v = o[1];
      switch (o[0]) {
        case "f" -> format = format(v);
        case "O" -> outFormat = format(v);
        case "o" -> QemuOptions.addKeyValues(v, create);
        case "B" -> backing = v;
        case "F" -> backingFormat = v;
        case "l" -> snapshot = snapshot(v);
        case "S" -> sparse = sparseSize(v);
        case "p" -> progress = true;
        case "q" -> quiet = true;
        case "n" -> noCreate = true;
        case "c" -> compress = true;
        case "U", "--force-share" -> forceShare = true;
        case "--bitmaps" -> bitmaps = true;
        // -W (out-of-order writes), -m (coroutines), -t/-T (cache), -r (rate), -C (copy
        // offloading), --target-is-zero: accepted; writes here are in order, one at a time.
        default -> { }
      }
    }
    if (q.operands().size() < 2) {
      throw new CommandLine.UsageException("Must specify image file name");
    }
    if (q.operands().size() > 2) {
      throw new CommandLine.UsageException("only one source image is supported");
    }
    if (backing != null && outFormat.equals("raw")) {
      throw new CommandLine.UsageException("Backing file not supported for file format 'raw'");
    }
    if (backingFormat != null && backing == null) {
      throw new CommandLine.UsageException("-F requires -B");
    }
    CreateOptions options = CreateOptionsText.parse(create, 0);
    if (backing != null) {
      options = options.toBuilder().backingFile(backing).backingFormat(backingFormat).build();
    }
    ImageSource source = new ImageSource(Path.of(q.operands().get(0)), format, snapshot,
        forceShare);
    ConvertOptions c = ConvertOptions.of(source, Path.of(q.operands().get(1)), outFormat)
        .withCreate(options).withNoCreate(noCreate).withSparseSize(sparse)
        .withCompress(compress).withBitmaps(bitmaps);
    ProgressLine line = progress && !quiet ? new ProgressLine(out, 1.0) : null;
    ImageOperations.convert(c, line != null ? line : ProgressListener.NONE);
    if (line != null) {
      line.end();
    }
    return 0;
  }

  private static String format(String v) throws CommandLine.UsageException {
    if (!v.equals("qcow2") && !v.equals("raw")) {
      throw new CommandLine.UsageException("Unknown file format '" + v
          + "' (qcow2 and raw are supported)");
    }
    return v;
  }

  /** {@code -l}: {@code snapshot.name=NAME}, {@code snapshot.id=ID}, or a name or ID. */
  static String snapshot(String v) {
    if (v.startsWith("snapshot.name=")) {
      return v.substring("snapshot.name=".length());
    }
    if (v.startsWith("snapshot.id=")) {
      return v.substring("snapshot.id=".length());
    }
    return v;
  }

  /** {@code -S}: bytes with qemu-img's suffixes, a whole number of 512-byte sectors. */
  private static long sparseSize(String v) throws CommandLine.UsageException {
    long n = CommandLine.parseSize("-S", v);
    if (n % 512 != 0) {
      throw new CommandLine.UsageException("Invalid buffer size for sparse output specified. "
          + "Valid sizes are multiples of 512 up to 2097152.");
    }
    return n;
  }
}
