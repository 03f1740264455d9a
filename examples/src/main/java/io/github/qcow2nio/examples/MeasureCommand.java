package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ImageSource;
import io.github.qcow2nio.format.MeasureOptions;
import io.github.qcow2nio.format.MeasureResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code qcow2 measure [--output=human|json] [-O FMT] [-o OPTIONS] [--size N | [-f FMT] [-l
 * SNAPSHOT] [-U] IMAGE]}: what {@code qemu-img measure} prints, through
 * {@link ImageOperations#measure}.
 */
public final class MeasureCommand implements Command {

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err)
      throws IOException, CommandLine.UsageException {
    QemuOptions q = QemuOptions.parse(args, "f:O:o:l:U",
        Set.of("--force-share", "--image-opts"), Set.of("--output", "--size", "--object"));
    String format = null;
    String outFormat = "raw";
    String snapshot = null;
    String output = "human";
    long size = -1;
    boolean forceShare = false;
    Map<String, String> create = new LinkedHashMap<>();
    for (String[] o : q.options()) {
      String v = o[1];
      switch (o[0]) {
        case "f" -> format = v;
        case "O" -> outFormat = v;
        case "o" -> QemuOptions.addKeyValues(v, create);
        case "l" -> snapshot = ConvertCommand.snapshot(v);
        case "U", "--force-share" -> forceShare = true;
        case "--output" -> output = v;
        case "--size" -> size = CommandLine.parseSize("--size", v);
        case "--image-opts", "--object" ->
            throw new CommandLine.UsageException(o[0] + " is not supported");
        default -> { }
      }
    }
    if (!output.equals("human") && !output.equals("json")) {
      throw new CommandLine.UsageException("--output must be used with human or json as"
          + " argument.");
    }
    for (String f : new String[] {format, outFormat}) {
      if (f != null && !f.equals("qcow2") && !f.equals("raw")) {
        throw new CommandLine.UsageException("Unknown file format '" + f + "'");
      }
    }
    if (size >= 0 && !q.operands().isEmpty()) {
      throw new CommandLine.UsageException("--size N cannot be used together with a filename.");
    }
    if (size < 0 && q.operands().size() != 1) {
      throw new CommandLine.UsageException(q.operands().isEmpty()
          ? "Either --size N or one filename must be specified." : "Too many arguments.");
    }
    CreateOptions options = CreateOptionsText.parse(create, 0);
    ImageSource source = q.operands().isEmpty() ? null
        : new ImageSource(Path.of(q.operands().get(0)), format, snapshot, forceShare);
    MeasureResult r = ImageOperations.measure(new MeasureOptions(source, Math.max(size, 0),
        outFormat, options));
    if (output.equals("json")) {
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
