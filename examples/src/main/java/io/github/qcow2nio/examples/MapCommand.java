package io.github.qcow2nio.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code qcow2 map [--output=human|json] [-f FMT] [--start-offset=N] [--max-length=N] [-U]
 * IMAGE}:
 * what {@code qemu-img map} prints.
 *
 * <p>JSON: one object per merged range, in qemu-img 7.2's layout ({@code "compressed"} only
 * exists from QEMU 8.2 on). Human: the ranges that hold data, in hexadecimal, and an error at
 * the first range whose data cannot be located in a file (compressed clusters).
 */
public final class MapCommand implements Command {

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err)
      throws IOException, CommandLine.UsageException {
    CommandLine cl = CommandLine.parse(args, Set.of(), Set.of("--start-offset", "--max-length"));
    if (cl.operands().size() != 1) {
      throw new CommandLine.UsageException("map takes one image");
    }
    long start = cl.size("--start-offset", 0);
    long maxLength = cl.size("--max-length", Long.MAX_VALUE);
    try (ImageMapper mapper = ImageMapper.open(cl.operands().get(0), cl.format(),
        cl.forceShare())) {
      long end = maxLength > Long.MAX_VALUE - start ? Long.MAX_VALUE : start + maxLength;
      if (cl.json()) {
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

  /** C's {@code %#-16x}: "0" for zero (no prefix), else 0x and lowercase digits, padded to 16. */
  private static String hex(long v) {
    String s = v == 0 ? "0" : "0x" + Long.toHexString(v);
    return s.length() >= 16 ? s : s + " ".repeat(16 - s.length());
  }
}
