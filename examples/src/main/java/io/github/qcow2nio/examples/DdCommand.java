package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.DdOptions;
import io.github.qcow2nio.format.DdResult;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ImageSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 dd [--image-opts] [-U] [-f fmt] [-O output_fmt] [bs=block_size] [count=blocks]
 * [skip=blocks] if=input of=output}: what {@code qemu-img dd} does, through
 * {@link ImageOperations#dd}. As qemu-img 7.2 does: count is measured from the input's start,
 * every byte is written (the output is fully allocated), a skip past the end says so and leaves
 * an empty output, with exit status 0.
 */
@Command(name = "dd",
    description = "copies a stretch of a disk into a new image, as 'qemu-img dd'")
final class DdCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin ObjectOption objects;
  @Mixin ImageOptsOption imageOpts;
  @Mixin ForceShareOption share;
  @Mixin ReferencePolicyOption references;
  @Option(names = "-f", paramLabel = "fmt", description = "the input's format")
  String format;
  @Option(names = "-O", paramLabel = "output_fmt",
      description = "the output's format: raw (the default) or qcow2")
  String outFormat = "raw";
  @Parameters(paramLabel = "operand", arity = "0..*", hideParamSyntax = true,
      description = "bs=block_size (default 512), count=blocks, skip=blocks, if=input, "
          + "of=output")
  List<String> operands = new ArrayList<>();

  private final PrintStream err;

  DdCommand(ToolIo io) {
    this.err = io.err();
  }

  /** The operands, read in order as qemu-img reads them: the first mistake is the one told. */
  private static final class Operands {
    long blockSize = DdOptions.DEFAULT_BLOCK_SIZE;
    long count = -1;
    long skip;
    String input;
    String output;

    static Operands parse(List<String> operands) throws ToolError {
      Operands o = new Operands();
      for (String operand : operands) {
        int eq = operand.indexOf('=');
        String key = eq < 0 ? operand : operand.substring(0, eq);
        String value = eq < 0 ? null : operand.substring(eq + 1);
        switch (eq < 0 ? "" : key) {
          case "bs" -> {
            o.blockSize = number("bs", value);
            if (o.blockSize < 1 || o.blockSize > DdOptions.MAX_BLOCK_SIZE) {
              throw ToolError.of("Invalid bs specified. Must be between 1 and "
                  + DdOptions.MAX_BLOCK_SIZE + ".");
            }
          }
          case "count" -> o.count = number("count", value);
          case "skip" -> o.skip = number("skip", value);
          case "if" -> o.input = value;
          case "of" -> o.output = value;
          default -> throw ToolError.of("unrecognized operand " + key);
        }
      }
      if (o.input == null || o.output == null) {
        throw ToolError.of("Must specify both input and output files");
      }
      return o;
    }

    /** A count with qemu-img's suffixes, 0 to 2^63-1. */
    private static long number(String name, String text) throws ToolError {
      QemuSize.Parsed p = QemuSize.parse(text);
      if (p == null) {
        throw ToolError.of("Invalid " + name
            + " specified. You may use k, M, G, T, P or E suffixes for",
            "kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
      }
      if (p.bytes().bitLength() > 63) {
        throw ToolError.of("Invalid " + name + " specified. Must be between 0 and "
            + Long.MAX_VALUE + ".");
      }
      return p.bytes().longValue();
    }
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    Operands o = Operands.parse(operands);
    ImageOptsOption.Image in = imageOpts.image(o.input, format);
    String inFormat = in.format();
    if (inFormat != null && !inFormat.equals("qcow2") && !inFormat.equals("raw")) {
      throw ToolError.of("Could not open '" + o.input + "': Unknown driver '" + inFormat + "'");
    }
    if (in.filename().isEmpty()) {
      throw ToolError.of("Could not open '" + o.input
          + "': The 'file' block driver requires a file name");
    }
    Path input = Path.of(in.filename());
    if (!outFormat.equals("qcow2") && !outFormat.equals("raw")) {
      // qemu-img opens the input first: its errors come before this one.
      checkReadable(input);
      throw ToolError.of("Unknown file format");
    }
    ImageSource source = new ImageSource(input, inFormat, null, share.forceShare,
        references.policy(), ImageKeys.keySecret(in, objects))
        .withBackingKeys(ImageKeys.backingKeys(in, objects));
    DdOptions options = DdOptions.builder(source, Path.of(o.output))
        .targetFormat(outFormat).blockSize(o.blockSize).count(o.count).skip(o.skip).build();
    DdResult r;
    try {
      r = ImageKeys.unlocking(in, () -> ImageOperations.dd(options));
    } catch (NoSuchFileException | AccessDeniedException e) {
      // The output's failures come wrapped: these are the input's.
      throw ToolError.of("Could not open '" + in.filename() + "': " + Main.message(e));
    }
    if (r.skipPastEnd()) {
      err.println("qcow2: " + o.input + ": cannot skip to specified offset");
    }
    return 0;
  }

  private static void checkReadable(Path input) throws ToolError {
    if (!Files.isReadable(input)) {
      throw ToolError.of("Could not open '" + input + "': Could not open '" + input + "': "
          + (Files.exists(input) ? "Permission denied" : "No such file or directory"));
    }
  }
}
