package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.BackingKeys;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.io.ReferencePolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 map [--output=human|json] [-f FMT] [--start-offset=N] [--max-length=N] [-U]
 * IMAGE}:
 * what {@code qemu-img map} prints.
 *
 * <p>JSON: one object per merged range, in qemu-img 7.2's layout ({@code "compressed"} only
 * exists from QEMU 8.2 on). Human: the ranges that hold data, in hexadecimal, and an error at
 * the first range whose data cannot be located in a file (compressed clusters).
 */
@Command(name = "map", description = "how guest ranges map to the image's files, as "
    + "'qemu-img map' prints it")
final class MapCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin ObjectOption objects;
  @Mixin ImageOptsOption imageOpts;
  @Mixin FormatOption format;
  @Option(names = "--start-offset", paramLabel = "offset",
      description = "where to start, in bytes (suffixes k, M, G, ...)")
  String startOffset;
  @Option(names = "--max-length", paramLabel = "len",
      description = "how much to map at most, in bytes (suffixes k, M, G, ...)")
  String maxLength;
  @Mixin OutputOption output;
  @Mixin ForceShareOption share;
  @Mixin ReferencePolicyOption references;
  @Parameters(paramLabel = "filename", arity = "0..*",
      hideParamSyntax = true, description = "the image")
  List<String> operands = new ArrayList<>();

  private final PrintStream out;

  MapCommand(ToolIo io) {
    this.out = io.out();
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    if (operands.size() != 1) {
      throw ToolError.usage("Expecting one image file name");
    }
    boolean json = output.json();
    long start = size("--start-offset", startOffset, 0);
    long maxLength = size("--max-length", this.maxLength, Long.MAX_VALUE);
    ImageOptsOption.Image image = imageOpts.image(operands.get(0), format);
    KeySecret key = ImageKeys.keySecret(image, objects);
    BackingKeys below = ImageKeys.backingKeys(image, objects);
    ReferencePolicy policy = references.policy();
    try (ImageMapper mapper = ImageKeys.unlocking(image, () -> ImageMapper.open(
        image.filename(), image.format(), share.forceShare, policy, key, below))) {
      long end = maxLength > Long.MAX_VALUE - start ? Long.MAX_VALUE : start + maxLength;
      if (json) {
        json(mapper, start, end, out);
      } else {
        human(mapper, start, end, out);
      }
    }
    return 0;
  }

  private static void json(ImageMapper mapper, long start, long end, PrintStream out)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    boolean[] first = {true};
    mapper.forEachEntry(start, end, e -> {
      sb.setLength(0);
      sb.append(first[0] ? "[" : ",\n");
      first[0] = false;
      sb.append("{ \"start\": ").append(e.start())
          .append(", \"length\": ").append(e.length())
          .append(", \"depth\": ").append(e.depth())
          .append(", \"present\": ").append(e.present())
          .append(", \"zero\": ").append(e.zero())
          .append(", \"data\": ").append(e.data());
      if (e.hasOffset()) {
        sb.append(", \"offset\": ").append(e.offset());
      }
      sb.append('}');
      out.print(sb);
    });
    if (first[0]) {
      // Nothing to map (the range starts at or past the end): qemu-img prints one empty entry.
      out.println("[{ \"start\": " + start + ", \"length\": 0, \"depth\": 0, "
          + "\"present\": false, \"zero\": false, \"data\": false}]");
      return;
    }
    out.println("]");
  }

  private static void human(ImageMapper mapper, long start, long end, PrintStream out)
      throws IOException {
    out.printf("%-16s%-16s%-16s%s%n", "Offset", "Length", "Mapped to", "File");
    mapper.forEachEntry(start, end, e -> {
      if (e.data() && !e.hasOffset()) {
        throw new IOException("File contains external, encrypted or compressed clusters.");
      }
      if (e.data() && !e.zero()) {
        out.println(hex(e.start()) + hex(e.length()) + hex(e.offset()) + e.filename());
      }
    });
  }

  private static long size(String option, String value, long otherwise)
      throws CommandLine.UsageException {
    return value == null ? otherwise : CommandLine.parseSize(option, value);
  }

  /** C's {@code %#-16x}: "0" for zero (no prefix), else 0x and lowercase digits, padded to 16. */
  private static String hex(long v) {
    String s = v == 0 ? "0" : "0x" + Long.toHexString(v);
    return s.length() >= 16 ? s : s + " ".repeat(16 - s.length());
  }
}
