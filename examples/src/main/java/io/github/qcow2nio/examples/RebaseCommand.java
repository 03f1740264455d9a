package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.BackingKeys;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.error.BackingChainException;
import io.github.qcow2nio.format.RebaseOptions;
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
 * {@code qcow2 rebase [--object objectdef] [--image-opts] [-U] [-q] [-f fmt] [-t cache]
 * [-T src_cache] [-p] [-u] [-c] -b backing_file [-F backing_fmt] filename}: what {@code qemu-img
 * rebase} does, through {@link ImageOperations#rebase}: safe by default (what would read
 * differently through the new backing file is copied into the overlay first), header only with
 * {@code -u}; {@code -b ""} removes the backing file. {@code -c} (qemu-img 8.0's, not 7.2's)
 * stores the copied clusters compressed. An encrypted overlay and the layers of its old chain
 * are unlocked each with its own key ({@code encrypt.key-secret},
 * {@code backing.[backing.]encrypt.key-secret}); as in qemu-img 7.2, a safe rebase onto an
 * encrypted new backing file is refused (there is no way to name its secret).
 */
@Command(name = "rebase",
    description = "changes an overlay's backing file, keeping what it reads, as 'qemu-img "
        + "rebase'")
final class RebaseCommand implements Callable<Integer> {
  private static final String NEW_BACKING = "Could not open new backing file '";
  @Mixin HelpOption help;
  @Mixin ObjectOption objects;
  @Mixin ImageOptsOption imageOpts;
  @Mixin ForceShareOption share;
  @Mixin QuietOption quiet;
  @Mixin FormatOption format;
  @Mixin CacheOptions.Target cache;
  @Mixin CacheOptions.Source sourceCache;
  @Mixin ProgressOption progress;
  @Mixin ReferencePolicyOption references;
  @Option(names = "-u", description = "unsafe: change the header only, copy nothing")
  boolean unsafe;
  @Option(names = "-c", description = "compress the clusters copied into the overlay "
      + "(qemu-img 8.0's option)")
  boolean compress;
  @Option(names = "-b", paramLabel = "backing_file",
      description = "the new backing file, relative to the overlay's directory; \"\" for none")
  String backing;
  @Option(names = "-F", paramLabel = "backing_fmt", description = "the new backing file's "
      + "format: qcow2 or raw")
  String backingFormat;
  @Parameters(paramLabel = "filename", arity = "0..*", hideParamSyntax = true,
      description = "the overlay")
  List<String> operands = new ArrayList<>();

  private final PrintStream out;

  RebaseCommand(ToolIo io) {
    this.out = io.out();
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    objects.secrets();
    if (operands.size() != 1) {
      throw ToolError.usage("Expecting one image file name");
    }
    if (!unsafe && backing == null) {
      throw ToolError.usage("Must specify backing file (-b) or use unsafe mode (-u)");
    }
    if (compress && unsafe) {
      throw ToolError.usage("Cannot use -c with -u: an unsafe rebase copies nothing");
    }
    cache.check();
    sourceCache.check();
    ImageOptsOption.Image image = imageOpts.image(operands.get(0), format);
    String file = image.filename();
    if (!Files.exists(Path.of(file))) {
      throw ToolError.of("Could not open '" + operands.get(0) + "': Could not open '" + file
          + "': No such file or directory");
    }
    if (backingFormat != null && !backingFormat.equals("qcow2")
        && !backingFormat.equals("raw")) {
      throw ToolError.of("Invalid format name: '" + backingFormat + "'");
    }
    String fmt = image.format() != null ? image.format() : ImageInspector.probe(Path.of(file));
    String name = backing == null ? "" : backing;
    if (fmt.equals("raw")) {
      throw ToolError.of("Could not change the backing file to '" + name
          + "': Operation not supported");
    }
    // As commit: the key first, each layer of the old chain its own. qemu-img 7.2 has no way
    // to name the new backing file's secret: an encrypted one is refused (newBackingKeys).
    RebaseOptions o = RebaseOptions.builder(Path.of(file), name)
        .backingFormat(backingFormat).unsafe(unsafe).compress(compress)
        .referencePolicy(references.policy()).keySecret(ImageKeys.keySecret(image, objects))
        .backingKeys(ImageKeys.backingKeys(image, objects))
        .newBackingKeys(BackingKeys.exactly(List.of())).build();
    if (!unsafe && !name.isEmpty() && !name.startsWith("/") && image.hasBackingOptions()) {
      // Named by the JSON of its options, the overlay has no directory to resolve against.
      throw ToolError.of("Could not resolve backing filename: Cannot use relative backing "
          + "file names for '" + image.jsonName() + "'");
    }
    ProgressPrinter line = progress.printer(out, quiet.quiet, 1.0);
    // The new backing file's refusal first: it may lie in the old chain too, and qemu-img
    // names it as the new backing file.
    ImageKeys.unlocking(image, () -> {
      try {
        return ImageOperations.rebase(o, line);
      } catch (BackingChainException e) {
        String why = e.getMessage().startsWith(NEW_BACKING) ? ImageKeys.unlockReason(e,
            Path.of(file).resolveSibling(name)) : null;
        if (why == null) {
          throw e;
        }
        throw ToolError.of(NEW_BACKING + name + "': " + why);
      }
    });
    line.finish();
    return 0;
  }
}
