package io.github.qcow2nio.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command line split the way qemu-img's getopt splits it: short options from a spec
 * ({@code "f:O:c"}: a colon marks one that takes a value, given as {@code -O qcow2} or
 * {@code -Oqcow2}), long ones ({@code --name}, {@code --name=value} or {@code --name value} for
 * those that take a value), operands anywhere, {@code --} ending the options. Each command
 * interprets the options in order itself.
 *
 * @param options each option given, in order, as {@code [name, value]} (value null for a flag);
 *     short names without the dash ("O"), long ones with both ("--output")
 * @param operands the file names and other operands
 */
record QemuOptions(List<String[]> options, List<String> operands) {

  static QemuOptions parse(List<String> args, String shortSpec, Set<String> longFlags,
      Set<String> longValued) throws CommandLine.UsageException {
    List<String[]> options = new ArrayList<>();
    List<String> operands = new ArrayList<>();
    boolean more = true;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!more || !a.startsWith("-") || a.equals("-")) {
        operands.add(a);
      } else if (a.equals("--")) {
        more = false;
      } else if (a.startsWith("--")) {
        int eq = a.indexOf('=');
        String name = eq < 0 ? a : a.substring(0, eq);
        if (longValued.contains(name)) {
          String v = eq >= 0 ? a.substring(eq + 1) : value(args, ++i, name);
          options.add(new String[] {name, v});
        } else if (longFlags.contains(name) && eq < 0) {
          options.add(new String[] {name, null});
        } else {
          throw new CommandLine.UsageException("unrecognized option '" + a + "'");
        }
      } else {
        for (int j = 1; j < a.length(); j++) {
          char c = a.charAt(j);
          int at = shortSpec.indexOf(c);
          if (at < 0 || c == ':') {
            throw new CommandLine.UsageException("invalid option -- '" + c + "'");
          }
          String name = String.valueOf(c);
          if (at + 1 < shortSpec.length() && shortSpec.charAt(at + 1) == ':') {
            String v = j + 1 < a.length() ? a.substring(j + 1) : value(args, ++i, "-" + c);
            options.add(new String[] {name, v});
            break;
          }
          options.add(new String[] {name, null});
        }
      }
    }
    return new QemuOptions(List.copyOf(options), List.copyOf(operands));
  }

  private static String value(List<String> args, int i, String option)
      throws CommandLine.UsageException {
    if (i >= args.size()) {
      throw new CommandLine.UsageException("option requires an argument -- '"
          + option.replaceFirst("^-+", "") + "'");
    }
    return args.get(i);
  }

  /** Splits {@code -o} text, {@code key=value,key=value} (",," is a comma), into a map. */
  static void addKeyValues(String text, Map<String, String> into)
      throws CommandLine.UsageException {
    StringBuilder part = new StringBuilder();
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ',' && i + 1 < text.length() && text.charAt(i + 1) == ',') {
        part.append(',');
        i++;
      } else if (c == ',') {
        parts.add(part.toString());
        part.setLength(0);
      } else {
        part.append(c);
      }
    }
    parts.add(part.toString());
    for (String p : parts) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq < 0) {
        throw new CommandLine.UsageException("Invalid parameter '" + p + "'");
      }
      into.put(p.substring(0, eq), p.substring(eq + 1));
    }
  }
}
