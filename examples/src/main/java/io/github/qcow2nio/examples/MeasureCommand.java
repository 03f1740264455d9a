package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ImageSource;
import io.github.qcow2nio.format.MeasureOptions;
import io.github.qcow2nio.format.MeasureResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 measure [--output=ofmt] [-O output_fmt] [-o options] [--size N | [-f fmt]
 * [-l snapshot_param] [-U] filename]}: what {@code qemu-img measure} prints, through
 * {@link ImageOperations#measure}.
 */
@Command(name = "measure",
    description = "the size a new image needs, as 'qemu-img measure' prints it")
final class MeasureCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin OutputOption output;
  @Option(names = "-O", paramLabel = "output_fmt",
      description = "the format of the image to measure for: raw (the default) or qcow2")
  String outFormat = "raw";
  @Option(names = "-o", paramLabel = "options",
      description = "creation options of the image to measure for, key=value,...")
  List<String> options = new ArrayList<>();
  @Option(names = "--size", paramLabel = "N",
      description = "measure for a new disk of N bytes instead of an image")
  String size;
  @Option(names = "-f", paramLabel = "fmt", description = "the image's format")
  String format;
  @Option(names = "-l", paramLabel = "snapshot_param",
      description = "measure a snapshot: snapshot.name=NAME, snapshot.id=ID, or a name or ID")
  String snapshot;
  @Mixin ForceShareOption share;
  @Mixin ReferencePolicyOption references;
  @Mixin ObjectOption objects;
  @Mixin ImageOptsOption imageOpts;
  @Parameters(paramLabel = "filename", arity = "0..*", hideParamSyntax = true,
      description = "the image")
  List<String> operands = new ArrayList<>();

  private final PrintStream out;

  MeasureCommand(ToolIo io) {
    this.out = io.out();
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    objects.secrets();
    Map<String, String> create = QemuOptions.keyValues(options);
    long bytes = size == null ? -1 : CommandLine.parseSize("--size", size);
    boolean json = output.json();
    for (String f : new String[] {imageOpts.imageOpts ? null : format, outFormat}) {
      if (f != null && !f.equals("qcow2") && !f.equals("raw")) {
        throw new CommandLine.UsageException("Unknown file format '" + f + "'");
      }
    }
    if (bytes >= 0 && !operands.isEmpty()) {
      throw ToolError.of("--size N cannot be used together with a filename.");
    }
    if (bytes < 0 && operands.size() != 1) {
      if (operands.isEmpty()) {
        throw ToolError.of("Either --size N or one filename must be specified.");
      }
      throw new CommandLine.UsageException("Too many arguments.");
    }
    CreateOptions c = CreateOptionsText.parse(create, 0);
    ImageOptsOption.Image in = operands.isEmpty() ? new ImageOptsOption.Image("", null)
        : imageOpts.image(operands.get(0), format);
    ImageSource source = operands.isEmpty() ? null
        : new ImageSource(Path.of(in.filename()), in.format(),
            snapshot == null ? null : ConvertCommand.snapshot(snapshot), share.forceShare,
            references.policy(), ImageKeys.keySecret(in, objects))
            .withBackingKeys(ImageKeys.backingKeys(in, objects));
    MeasureResult r = ImageKeys.unlocking(in, () -> ImageOperations.measure(
        new MeasureOptions(source, Math.max(bytes, 0), outFormat, c)));
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (r.hasBitmaps()) {
        m.put("bitmaps", r.bitmaps());
      }
      m.put("required", r.required());
      m.put("fully-allocated", r.fullyAllocated());
      out.println(Json.pretty(m));
    } else {
      out.println("required size: " + r.required());
      out.println("fully allocated size: " + r.fullyAllocated());
      if (r.hasBitmaps()) {
        out.println("bitmaps size: " + r.bitmaps());
      }
    }
    return 0;
  }
}
