package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CreateOptions.Preallocation;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ResizeOptions;
import io.github.qcow2nio.format.error.Qcow2Exception;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 resize [--object objectdef] [--image-opts] [-f fmt] [--preallocation=prealloc] [-q] [--shrink]
 * filename [+ | -]size}: as {@code qemu-img resize}, through {@link ImageOperations#resize}
 * for qcow2 (whose refusals, preallocation and file trimming are the library's) and a plain
 * truncate or extension for raw (off, falloc and full). Shrinking needs {@code --shrink}, and
 * drops what lies past the new end.
 */
@Command(name = "resize", description = "changes the virtual size, as 'qemu-img resize'")
final class ResizeCommand implements Callable<Integer> {
  private static final Set<String> MODES = Set.of("off", "metadata", "falloc", "full");
  private static final String SHRINK_NOT_ASKED =
      "Use the --shrink option to perform a shrink operation.";
  private static final String SHRINK_WARNING = "warning: Shrinking an image will delete all data "
      + "beyond the shrunken image's end. Before performing such an operation, make sure there "
      + "is no important data there.";

  @Mixin HelpOption help;
  @Mixin ObjectOption objects;
  @Mixin ImageOptsOption imageOpts;
  @Mixin FormatOption format;
  @Option(names = "--preallocation", paramLabel = "prealloc",
      description = "how the new space is allocated: off (the default), metadata (qcow2), "
          + "falloc or full")
  String preallocation;
  @Mixin QuietOption quiet;
  @Mixin ReferencePolicyOption references;
  @Option(names = "--shrink", description = "allow the image to shrink, dropping what lies past "
      + "its new end")
  boolean shrink;
  @Parameters(paramLabel = "filename [+ | -]size", arity = "0..*", hideParamSyntax = true,
      description = "the image and its new size, or what to add (+) or remove (-)")
  List<String> operands = new ArrayList<>();

  private final PrintStream out;
  private final PrintStream err;

  ResizeCommand(ToolIo io) {
    this.out = io.out();
    this.err = io.err();
  }

  /**
   * As qemu-img, the size is the last argument whatever it looks like ("-1G" is no option):
   * {@code --} is put before it when the command is resize and nothing ends the options yet.
   * With fewer than two arguments qemu-img looks at none of them ("Not enough arguments"), so
   * they are dropped here, unless they ask for this command's help.
   */
  static String[] sizeLast(String[] args) {
    int i = 0;
    while (i < args.length && args[i].startsWith("-") && !args[i].equals("--")) {
      i += args[i].equals("-T") || args[i].equals("--trace") ? 2 : 1;
    }
    if (i >= args.length || !args[i].equals("resize")) {
      return args;
    }
    if (args.length - i < 3) {
      boolean help = args.length - i == 2
          && (args[i + 1].equals("-h") || args[i + 1].equals("--help"));
      return help ? args : Arrays.copyOf(args, i + 1);
    }
    List<String> rest = Arrays.asList(args).subList(i + 1, args.length - 1);
    if (rest.contains("--")) {
      return args;
    }
    List<String> line = new ArrayList<>(Arrays.asList(args).subList(0, args.length - 1));
    line.add("--");
    line.add(args[args.length - 1]);
    return line.toArray(String[]::new);
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    if (preallocation != null && !MODES.contains(preallocation)) {
      throw ToolError.of("Invalid preallocation mode '" + preallocation + "'");
    }
    if (operands.size() < 2) {
      throw ToolError.usage("Not enough arguments");
    }
    if (operands.size() > 2) {
      throw ToolError.usage("Expecting image file name and size");
    }
    ImageOptsOption.Image image = imageOpts.image(operands.get(0), format);
    String text = operands.get(1);
    int sign = text.startsWith("+") ? 1 : text.startsWith("-") ? -1 : 0;
    long n = QemuSize.optionSize("", "size", sign == 0 ? text : text.substring(1), err);
    String fmt = image.format() != null ? image.format()
        : ImageInspector.probe(Path.of(image.filename()));
    if (image.format() == null && fmt.equals("raw")) {
      err.print("WARNING: Image format was not specified for '" + image.filename()
          + "' and probing guessed raw.\n"
          + "         Automatically detecting the format is dangerous for raw images, write "
          + "operations on block 0 will be restricted.\n"
          + "         Specify the 'raw' format explicitly to remove the restrictions.\n");
    }
    if (fmt.equals("qcow2")) {
      // The key first (qemu-img's words without one); each backing layer takes its own.
      ResizeOptions r = (sign == 0 ? ResizeOptions.to(Path.of(image.filename()), n)
          : ResizeOptions.by(Path.of(image.filename()), sign * n))
          .withReferencePolicy(references.policy())
          .withKeySecret(ImageKeys.keySecret(image, objects))
          .withBackingKeys(ImageKeys.backingKeys(image, objects));
      r = r.withShrink(shrink).withPreallocation(preallocation == null ? Preallocation.OFF
          : Preallocation.valueOf(preallocation.toUpperCase(java.util.Locale.ROOT)));
      ResizeOptions options = r;
      try {
        ImageKeys.unlocking(image, () -> ImageOperations.resize(options));
      } catch (Qcow2Exception e) {
        if (SHRINK_NOT_ASKED.equals(e.getMessage())) {
          throw ToolError.of(SHRINK_NOT_ASKED, SHRINK_WARNING);
        }
        throw e;
      }
    } else {
      try (FileChannel ch = FileChannel.open(Path.of(image.filename()), StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        long old = ch.size();
        long size = newSize(old, sign, n);
        if ("metadata".equals(preallocation)) {
          throw ToolError.of("Unsupported preallocation mode: metadata");
        }
        if (size < old) {
          ch.truncate(size);
        } else {
          RawFiles.grow(ch, old, size, "full".equals(preallocation));
        }
        ch.force(true);
      }
    }
    if (!quiet.quiet) {
      out.println("Image resized.");
    }
    return 0;
  }

  /** The size asked for, refused as qemu-img refuses it: not positive, or smaller unasked. */
  private long newSize(long current, int sign, long n) throws ToolError {
    long size = sign == 0 ? n : current + sign * n;
    if (size <= 0) {
      throw ToolError.of("New image size must be positive");
    }
    if (size < current && !shrink) {
      throw ToolError.of(SHRINK_NOT_ASKED, SHRINK_WARNING);
    }
    return size;
  }
}
