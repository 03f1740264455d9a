package io.github.qcow2nio.examples;

/**
 * Reads one command's arguments without picocli, for the start-up path ({@link DirectCommands}):
 * only the forms whose meaning under the tool's picocli settings ({@link Tool#configure}) is
 * certain, proven against picocli by DirectLineAgainstPicocliTest. Everything else is declined,
 * and the caller hands the whole line to picocli, which then says what it always said.
 *
 * <p>Read: {@code --name=value} and {@code --name value}; {@code -x value}, {@code -xvalue} and
 * {@code -x=value}; short flags clustered ({@code -Uq}), the last one of a cluster may take a
 * value ({@code -Uf qcow2}, {@code -Ufqcow2}); options anywhere among the operands; repeated
 * options (the binder keeps the last, or adds to a list); {@code --} ending the options, after
 * which every argument is an operand.
 *
 * <p>Declined: any name the binder does not know (help, version, mistakes), an empty argument,
 * an operand or a separate value starting with {@code -} (picocli's rules for those depend on
 * what the argument resembles), {@code --name=value} for a flag, a missing value, and any line
 * while a {@code picocli.*} system property (tracing, quote trimming) is set.
 */
final class DirectLine {
  private DirectLine() {}

  /** One command's options and operands, as the direct path sets them on the command object. */
  interface Binder {
    /** 0 for a flag, 1 for an option taking one value, -1 for a name to decline. */
    int arity(String name);

    /** Sets option {@code name} (as {@link #arity} named it) to {@code value}; null for a flag. */
    void option(String name, String value);

    void operand(String value);
  }

  /**
   * Reads {@code line[from..]} into {@code binder}; false when the line must go to picocli (the
   * binder may then hold part of it, and is to be dropped).
   */
  static boolean read(String[] line, int from, Binder binder) {
    if (picocliTuned()) {
      return false;
    }
    boolean options = true;
    for (int i = from; i < line.length; i++) {
      String arg = line[i];
      if (arg.isEmpty()) {
        return false;
      }
      if (!options || !arg.startsWith("-")) {
        binder.operand(arg);
      } else if (arg.equals("--")) {
        options = false;
      } else if (arg.startsWith("--")) {
        i = longOption(line, i, binder);
      } else if (arg.length() > 1) {
        i = shortOptions(line, i, binder);
      } else {
        return false;
      }
      if (i < 0) {
        return false;
      }
    }
    return true;
  }

  /** {@code --name}, {@code --name=value}, {@code --name value}; the last index used, or -1. */
  private static int longOption(String[] line, int i, Binder binder) {
    String arg = line[i];
    int eq = arg.indexOf('=');
    String name = eq < 0 ? arg : arg.substring(0, eq);
    int arity = binder.arity(name);
    if (arity == 0 && eq < 0) {
      binder.option(name, null);
      return i;
    }
    if (arity != 1) {
      return -1;
    }
    if (eq >= 0) {
      String value = arg.substring(eq + 1);
      if (value.startsWith("-")) {
        return -1;
      }
      binder.option(name, value);
      return i;
    }
    return separateValue(line, i, name, binder);
  }

  /** {@code -abc}, {@code -xvalue}, {@code -x=value}, {@code -x value}: the last index, or -1. */
  private static int shortOptions(String[] line, int i, Binder binder) {
    String arg = line[i];
    for (int j = 1; j < arg.length(); j++) {
      String name = "-" + arg.charAt(j);
      int arity = binder.arity(name);
      if (arity == 0) {
        binder.option(name, null);
        continue;
      }
      if (arity != 1) {
        return -1;
      }
      if (j + 1 == arg.length()) {
        return separateValue(line, i, name, binder);
      }
      String value = arg.substring(arg.charAt(j + 1) == '=' ? j + 2 : j + 1);
      if (value.startsWith("-") || value.startsWith("=")) {
        return -1;
      }
      binder.option(name, value);
      return i;
    }
    return i;
  }

  private static int separateValue(String[] line, int i, String name, Binder binder) {
    if (i + 1 >= line.length || line[i + 1].isEmpty() || line[i + 1].startsWith("-")) {
      return -1;
    }
    binder.option(name, line[i + 1]);
    return i + 1;
  }

  /** Whether a system property changes how picocli reads or reports (picocli.trace, ...). */
  private static boolean picocliTuned() {
    for (Object key : System.getProperties().keySet()) {
      if (key instanceof String s && s.startsWith("picocli.")) {
        return true;
      }
    }
    return false;
  }
}
