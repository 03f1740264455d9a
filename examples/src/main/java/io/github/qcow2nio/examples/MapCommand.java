package io.github.qcow2nio.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code qcow2 map [--output=human|json] [-f FMT] IMAGE}: what {@code qemu-img map} prints.
 *
 * <p>JSON: one object per merged range, in qemu-img 7.2's layout ({@code "compressed"} only
 * exists from QEMU 8.2 on). Human: the ranges that hold data, in hexadecimal, and an error at
 * the first range whose data cannot be located in a file (compressed clusters).
 */
public final class MapCommand implements Command {

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err)
      throws IOException, CommandLine.UsageException {
    CommandLine cl = CommandLine.parse(args, Set.of());
    if (cl.operands().size() != 1) {
      throw new CommandLine.UsageException("map takes one image");
    }
    try (ImageMapper mapper = ImageMapper.open(cl.operands().get(0), cl.format())) {
      if (cl.json()) {
        json(mapper, out);
      } else {
        human(mapper, out);
      }
    }
    return 0;
  }

  private static void json(ImageMapper mapper, PrintStream out) throws IOException {
    StringBuilder sb = new StringBuilder();
    boolean[] first = {true};
    mapper.forEachEntry(e -> {
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
    out.println(first[0] ? "[]" : "]");
  }

  private static void human(ImageMapper mapper, PrintStream out) throws IOException {
    out.printf("%-16s%-16s%-16s%s%n", "Offset", "Length", "Mapped to", "File");
    mapper.forEachEntry(e -> {
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
