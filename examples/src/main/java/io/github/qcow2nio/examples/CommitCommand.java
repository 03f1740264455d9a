package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CommitOptions;
import io.github.qcow2nio.format.ImageOperations;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 commit [--object objectdef] [--image-opts] [-q] [-f fmt] [-t cache] [-b base]
 * [-r rate_limit] [-d] [-p] filename}: what {@code qemu-img commit} does, through {@link
 * ImageOperations#commit}: the overlay's changes go into its backing file (or, with {@code -b},
 * into a deeper image of its chain), and the overlay is emptied unless {@code -d} or {@code -b}
 * is given. Encrypted layers are unlocked each with its own key: {@code encrypt.key-secret}
 * for the overlay, {@code backing.encrypt.key-secret} for its backing file, and so on; the
 * committed data is encrypted with the base's key.
 */
@Command(name = "commit",
    description = "writes an overlay's changes into its backing file, as 'qemu-img commit'")
final class CommitCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin ObjectOption objects;
  @Mixin ImageOptsOption imageOpts;
  @Mixin QuietOption quiet;
  @Mixin FormatOption format;
  @Mixin CacheOptions.Target cache;
  @Option(names = "-b", paramLabel = "base",
      description = "the image of the backing chain to commit into (implies -d)")
  String base;
  @Option(names = "-r", paramLabel = "rate_limit",
      description = "rate limit in bytes per second (accepted; nothing is throttled)")
  String rate;
  @Option(names = "-d", description = "leave the overlay's data in place: do not empty it")
  boolean keep;
  @Mixin ProgressOption progress;
  @Mixin ReferencePolicyOption references;
  @Parameters(paramLabel = "filename", arity = "0..*", hideParamSyntax = true,
      description = "the overlay")
  List<String> operands = new ArrayList<>();

  private final PrintStream out;

  CommitCommand(ToolIo io) {
    this.out = io.out();
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    if (rate != null) {
      QemuSize.Parsed r = QemuSize.parse(rate);
      if (r == null) {
        throw ToolError.of("Invalid rate limit specified. You may use k, M, G, T, P or E "
            + "suffixes for", "kilobytes, megabytes, gigabytes, terabytes, petabytes and "
            + "exabytes.");
      }
    }
    objects.secrets();
    if (operands.size() != 1) {
      throw ToolError.usage("Expecting one image file name");
    }
    cache.check();
    ImageOptsOption.Image image = imageOpts.image(operands.get(0), format);
    String file = image.filename();
    if (!Files.exists(Path.of(file))) {
      throw ToolError.of("Could not open '" + operands.get(0) + "': Could not open '" + file
          + "': No such file or directory");
    }
    String fmt = image.format() != null ? image.format() : ImageInspector.probe(Path.of(file));
    if (fmt.equals("raw")) {
      throw ToolError.of("Image does not have a backing file");
    }
    // An encrypted image needs its key (qemu-img's words when none is given), and each
    // encrypted layer below its own: the base is written with its key.
    CommitOptions o = CommitOptions.builder(Path.of(file)).base(base).keepOverlay(keep)
        .referencePolicy(references.policy()).keySecret(ImageKeys.keySecret(image, objects))
        .backingKeys(ImageKeys.backingKeys(image, objects)).build();
    if (base != null && image.hasBackingOptions()) {
      // qemu-img 7.2 names such an image by the JSON of its options, and finds no -b in it.
      throw ToolError.of("Did not find '" + base + "' in the backing chain of '"
          + image.operand() + "'");
    }
    ProgressPrinter line = progress.printer(out, quiet.quiet, 1.0);
    ImageKeys.unlocking(image, () -> ImageOperations.commit(o, line));
    line.finish();
    if (!quiet.quiet) {
      out.println("Image committed.");
    }
    return 0;
  }
}
