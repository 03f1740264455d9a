package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CheckOptions;
import io.github.qcow2nio.format.CheckOptions.Repair;
import io.github.qcow2nio.format.CheckResult;
import io.github.qcow2nio.format.Qcow2Image;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 check [--image-opts] [-q] [-f fmt] [--output=ofmt] [-r leaks|all] [-T src_cache]
 * [-U] filename}: what {@code qemu-img check} prints, with its exit status (0 clean, 1 check
 * failed, 2 corruptions, 3 leaks only, 63 a format without checks). Problems found go to stderr
 * in qemu-img's words.
 */
@Command(name = "check", description = "checks the image's metadata (and repairs it with -r), "
    + "as 'qemu-img check'; exit 0 clean, 2 corruptions, 3 leaks only, 1 check failed, 63 not "
    + "supported")
final class CheckCommand implements Callable<Integer> {
  /** qemu-img's status for a format that has no check (raw). */
  static final int NOT_SUPPORTED = 63;

  @Mixin HelpOption help;
  @Mixin ObjectOption objects;
  @Mixin ImageOptsOption imageOpts;
  @Mixin QuietOption quiet;
  @Mixin FormatOption format;
  @Mixin OutputOption output;
  @Option(names = "-r", paramLabel = "leaks|all",
      description = "repair: leaks only, or all errors")
  String repair;
  @Mixin CacheOptions.Source cache;
  @Mixin ForceShareOption share;
  @Mixin ReferencePolicyOption references;
  @Parameters(paramLabel = "filename", arity = "0..*", hideParamSyntax = true,
      description = "the image")
  List<String> operands = new ArrayList<>();

  private final PrintStream out;
  private final PrintStream err;

  CheckCommand(ToolIo io) {
    this.out = io.out();
    this.err = io.err();
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    Repair r = repair();
    if (operands.size() != 1) {
      throw ToolError.usage("Expecting one image file name");
    }
    boolean json = output.json();
    cache.check();
    ImageOptsOption.Image image = imageOpts.image(operands.get(0), format.format);
    if (share.forceShare && r != Repair.NONE) {
      throw new CommandLine.UsageException(
          "force-share=on can only be used with read-only images");
    }
    Path path = Path.of(image.filename());
    String fmt = image.format() != null ? image.format() : ImageInspector.probe(path);
    if (!fmt.equals("qcow2") && !fmt.equals("raw")) {
      throw new CommandLine.UsageException("Unknown file format '" + fmt + "'");
    }
    if (!fmt.equals("qcow2")) {
      err.println("qcow2: This image format does not support checks");
      return NOT_SUPPORTED;
    }
    CheckOptions options = CheckOptions.builder().repair(r)
        .forceShare(share.forceShare).messages(err::println)
        .keySecret(ImageKeys.keySecret(image, objects))
        .backingKeys(ImageKeys.backingKeys(image, objects))
        .referencePolicy(references.policy()).build();
    CheckResult result = ImageKeys.unlocking(image, () -> Qcow2Image.check(path, options));
    if (!quiet.quiet) {
      if (json) {
        out.println(CheckReport.json(image.operand(), "qcow2", result));
      } else {
        out.print(CheckReport.human(result));
      }
    }
    if (result.checkErrors() > 0) {
      err.println("qcow2: Check failed");
    }
    return result.exitCode();
  }

  private Repair repair() throws CommandLine.UsageException {
    if (repair == null) {
      return Repair.NONE;
    }
    return switch (repair) {
      case "leaks" -> Repair.LEAKS;
      case "all" -> Repair.ALL;
      default -> throw new CommandLine.UsageException(
          "Unknown option value for -r (expecting 'leaks' or 'all'): " + repair);
    };
  }
}
