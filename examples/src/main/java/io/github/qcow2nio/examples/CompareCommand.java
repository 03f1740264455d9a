package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CompareOptions;
import io.github.qcow2nio.format.CompareResult;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ImageSource;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 compare [-f fmt] [-F fmt] [-T src_cache] [-p] [-q] [-s] [-U] filename1
 * filename2}: what {@code qemu-img compare} prints, with its exit status: 0 identical, 1
 * different, 2 when an image cannot be read.
 */
@Command(name = "compare",
    description = "whether two disks read the same, as 'qemu-img compare' (exit 0, 1, 2 on "
        + "errors)")
final class CompareCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Option(names = "-f", paramLabel = "fmt", description = "the first image's format")
  String format1;
  @Option(names = "-F", paramLabel = "fmt", description = "the second image's format")
  String format2;
  @Mixin CacheOptions.Source cache;
  @Mixin ProgressOption progress;
  @Mixin QuietOption quiet;
  @Option(names = "-s", description = "strict: a different size or allocation is a difference")
  boolean strict;
  @Mixin ForceShareOption share;
  @Mixin ReferencePolicyOption references;
  @Mixin ObjectOption objects;
  @Mixin ImageOptsOption imageOpts;
  @Parameters(paramLabel = "filename1 filename2", arity = "0..*", hideParamSyntax = true,
      description = "the images")
  List<String> operands = new ArrayList<>();

  private final PrintStream out;
  private final PrintStream err;

  CompareCommand(ToolIo io) {
    this.out = io.out();
    this.err = io.err();
  }

  @Override
  public Integer call() throws ToolError, CommandLine.UsageException {
    try {
      cache.check();
    } catch (ToolError e) {
      // compare's failures, this one too, exit 2 in qemu-img.
      err.print(e.text());
      return 2;
    }
    if (operands.size() != 2) {
      throw ToolError.usage("Expecting two image file names");
    }
    // Bad --object definitions end qemu-img with 1, before any image is opened.
    objects.secrets();
    ProgressPrinter line = progress.printer(out, quiet.quiet, 2.0);
    CompareResult r;
    try {
      ImageOptsOption.Image a = imageOpts.image(operands.get(0), format1);
      ImageOptsOption.Image b = imageOpts.image(operands.get(1), format2);
      ImageSource sa = source(a);
      ImageSource sb = source(b);
      r = ImageKeys.unlocking(a, () -> ImageKeys.unlocking(b, () -> ImageOperations.compare(
          new CompareOptions(sa, sb, strict), line)));
    } catch (ToolError e) {
      err.print(e.text());
      return 2;
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
    if (!quiet.quiet) {
      out.print(r.message());
    }
    line.newline();
    return r.exitCode();
  }

  private ImageSource source(ImageOptsOption.Image image)
      throws ToolError, CommandLine.UsageException {
    return new ImageSource(Path.of(image.filename()), image.format(), null, share.forceShare,
        references.policy(), ImageKeys.keySecret(image, objects))
        .withBackingKeys(ImageKeys.backingKeys(image, objects));
  }
}
