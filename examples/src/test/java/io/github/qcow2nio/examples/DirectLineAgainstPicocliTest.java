package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;

/**
 * The direct path reads a line only as picocli reads it: over a seeded corpus of command lines
 * for info, map, check and measure, made from the options each command's annotations declare
 * (every name, in every spelling picocli takes, with values and operands of every awkward kind,
 * mixed with help, unknown options and missing values), whenever {@link DirectCommands#parse}
 * accepts a line, picocli parses the same line without error or help to a command whose every
 * option, mixin and operand field holds the same value. Lines picocli refuses are thereby
 * declined. The corpus must also make the direct path accept every declared option and a good
 * share of the lines, or the comparison would prove nothing.
 */
class DirectLineAgainstPicocliTest {
  private static final long SEED = 0x13_5EEDL;
  private static final int LINES_PER_COMMAND = 1200;
  private static final List<String> COMMANDS = List.of("info", "map", "check", "measure");

  private static final String[] VALUES = {"qcow2", "raw", "json", "human", "leaks", "1M", "512",
      "a=b", "x,y", "secret,id=sec0,data=abc", "info", "map", "@args", "", "-", "-U", "--",
      "--output", "-x", "=json", "==", "sp ace", "'q'", "\"q\"", "snapshot.name=s1", "--help"};
  private static final String[] OPERANDS = {"img.qcow2", "b.qcow2", "info", "map", "check",
      "@file", "a=b", "x y", "-", "-x", "--bogus", "", "--output=json", "-h", "--"};
  private static final String[] NOISE = {"--bogus", "-Z", "-h", "--help", "-V", "--version",
      "--out=json", "--output", "-f", "--", "-", "--image-opts=true", "-U=true", "-hU", "-Uh",
      "--force-share=false", "-T", "help"};

  private final PrintStream sink =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  /** What picocli made of a line: the command object, or why there is none. */
  private record Picocli(Object command, String refusal) {}

  private Picocli picocli(String[] line) {
    picocli.CommandLine cli = Tool.forLine(sink, sink, line);
    try {
      ParseResult top = cli.parseArgs(line);
      ParseResult sub = top.subcommand();
      if (top.isUsageHelpRequested() || top.isVersionHelpRequested()) {
        return new Picocli(null, "help");
      }
      if (sub == null) {
        return new Picocli(null, "no command");
      }
      if (sub.isUsageHelpRequested() || sub.isVersionHelpRequested()) {
        return new Picocli(null, "help");
      }
      return new Picocli(sub.commandSpec().userObject(), null);
    } catch (ParameterException e) {
      return new Picocli(null, e.getMessage());
    }
  }

  /** Every field picocli sets on {@code command}, mixins' fields included, by name. */
  static Map<String, Object> settings(Object command) throws IllegalAccessException {
    Map<String, Object> settings = new LinkedHashMap<>();
    collect(command, "", settings);
    return settings;
  }

  private static void collect(Object o, String prefix, Map<String, Object> into)
      throws IllegalAccessException {
    for (Field f : o.getClass().getDeclaredFields()) {
      f.setAccessible(true);
      if (f.isAnnotationPresent(Mixin.class)) {
        Object mixin = f.get(o);
        assertNotNull(mixin, prefix + f.getName());
        collect(mixin, prefix + f.getName() + ".", into);
      } else if (f.isAnnotationPresent(Option.class) || f.isAnnotationPresent(Parameters.class)) {
        Object v = f.get(o);
        into.put(prefix + f.getName(), v instanceof List<?> l ? new ArrayList<>(l) : v);
      }
    }
  }

  /** The option names the command declares, from its annotations as picocli reads them. */
  private List<OptionSpec> declared(String command) {
    Object c = ToolCommands.create(command, new ToolIo(sink, sink));
    return new picocli.CommandLine(c).getCommandSpec().options();
  }

  @Test
  void whateverTheDirectPathAcceptsPicocliParsesToTheSameSettings() throws Exception {
    Random random = new Random(SEED);
    for (String command : COMMANDS) {
      List<OptionSpec> options = declared(command);
      Set<String> names = new TreeSet<>();
      for (OptionSpec o : options) {
        if (!o.usageHelp()) {
          names.addAll(Arrays.asList(o.names()));
        }
      }
      Set<String> acceptedNames = new TreeSet<>();
      int accepted = 0;
      int refusedByPicocli = 0;
      for (int n = 0; n < LINES_PER_COMMAND; n++) {
        List<String> used = new ArrayList<>();
        String[] line = line(random, command, options, used);
        String shown = Arrays.toString(line);
        Picocli p = picocli(line);
        if (p.command() == null && !p.refusal().equals("help")) {
          refusedByPicocli++;
        }
        DirectCommands.Bound direct = DirectCommands.parse(line, new ToolIo(sink, sink));
        if (direct == null) {
          continue;
        }
        accepted++;
        acceptedNames.addAll(used);
        assertNull(p.refusal(), () -> shown + " accepted, but picocli: " + p.refusal());
        assertEquals(settings(p.command()), settings(direct.command()), shown);
      }
      acceptedNames.retainAll(names);
      assertEquals(names, acceptedNames, command + ": every declared option read directly");
      System.out.printf("%s: %d lines, %d read directly, %d refused by picocli%n", command,
          LINES_PER_COMMAND, accepted, refusedByPicocli);
      assertTrue(accepted > LINES_PER_COMMAND / 5, command + ": accepted " + accepted);
      assertTrue(refusedByPicocli > LINES_PER_COMMAND / 10,
          command + ": lines picocli refuses " + refusedByPicocli);
    }
  }

  /** A random line for {@code command}; the option names it spells go to {@code used}. */
  private static String[] line(Random r, String command, List<OptionSpec> options,
      List<String> used) {
    List<String> line = new ArrayList<>(List.of(command));
    int parts = r.nextInt(7);
    for (int i = 0; i < parts; i++) {
      int kind = r.nextInt(20);
      if (kind < 11) {
        option(r, options.get(r.nextInt(options.size())), options, line, used);
      } else if (kind < 16) {
        line.add(r.nextInt(4) == 0 ? pick(r, OPERANDS) : "img" + r.nextInt(3) + ".qcow2");
      } else if (kind < 18) {
        line.add(pick(r, NOISE));
      } else {
        line.add("--");
        for (int k = r.nextInt(3); k > 0; k--) {
          line.add(pick(r, OPERANDS));
        }
      }
    }
    return line.toArray(String[]::new);
  }

  /** One option in one of the spellings picocli takes, or a cluster of short ones. */
  private static void option(Random r, OptionSpec o, List<OptionSpec> all, List<String> line,
      List<String> used) {
    String name = o.names()[r.nextInt(o.names().length)];
    used.add(name);
    boolean flag = o.arity().max() == 0;
    String value = r.nextInt(3) == 0 ? pick(r, VALUES) : "v" + r.nextInt(4);
    boolean shortName = name.length() == 2;
    if (flag) {
      if (shortName && r.nextInt(3) == 0) {
        // A cluster: this flag, then another short option (its value attached or not).
        OptionSpec next = all.get(r.nextInt(all.size()));
        String other = next.shortestName();
        if (other.length() == 2) {
          used.add(other);
          String tail = next.arity().max() == 0 ? "" : r.nextBoolean() ? value : "";
          line.add(name + other.substring(1) + tail);
          if (next.arity().max() > 0 && tail.isEmpty()) {
            line.add(value);
          }
          return;
        }
      }
      line.add(r.nextInt(12) == 0 ? name + "=true" : name);
      return;
    }
    int form = r.nextInt(shortName ? 4 : 3);
    switch (form) {
      case 0 -> {
        line.add(name);
        line.add(value);
      }
      case 1 -> line.add(name + "=" + value);
      case 2 -> line.add(name);
      default -> line.add(name + value);
    }
  }

  private static String pick(Random r, String[] from) {
    return from[r.nextInt(from.length)];
  }

  @Test
  void commonLinesAreReadDirectlyAndOddOnesDeclined() throws Exception {
    String[][] accepted = {
        {"info"}, {"info", "x.qcow2"}, {"info", "--output=json", "x.qcow2"},
        {"info", "--output", "json", "x.qcow2", "--backing-chain"},
        {"info", "-Uf", "qcow2", "x"}, {"info", "-Ufqcow2", "x"}, {"info", "-f=raw", "x"},
        {"info", "--image-opts", "driver=qcow2,file.filename=x"},
        {"info", "--object", "secret,id=s,data=p", "--object=secret,id=t,data=q", "x"},
        {"info", "--", "-x.qcow2"}, {"info", "x", "--output=human", "--output=json"},
        {"info", "--backing-policy=confined", "--confine-to", "/tmp", "x"},
        {"map", "--start-offset=1M", "--max-length", "64k", "--output=json", "x"},
        {"check", "-qU", "-r", "leaks", "-T", "none", "x"}, {"check", "-rall", "x"},
        {"measure", "--size", "1G", "-O", "qcow2", "-o", "cluster_size=64k"},
        {"measure", "-l", "snapshot.name=a", "-f", "qcow2", "x"}, {"info", "info", "map"}};
    for (String[] line : accepted) {
      DirectCommands.Bound direct = DirectCommands.parse(line, new ToolIo(sink, sink));
      assertNotNull(direct, Arrays.toString(line));
      Picocli p = picocli(line);
      assertNull(p.refusal(), Arrays.toString(line));
      assertEquals(settings(p.command()), settings(direct.command()), Arrays.toString(line));
    }
    String[][] declined = {
        {"info", "--help"}, {"info", "-h"}, {"map", "-Uh"}, {"info", "-f"},
        {"info", "--output"}, {"info", "--bogus", "x"}, {"info", "--out=json", "x"},
        {"check", "-Z", "x"}, {"info", "-f", "--", "x"}, {"info", "-f", "-U", "x"},
        {"info", "--image-opts=true", "x"}, {"info", "-U=true", "x"}, {"info", "-", "x"},
        {"info", ""}, {"info", "-x"}, {"measure", "-q"}, {"map", "--backing-chain", "x"},
        {"info", "-V"}, {"INFO", "x"}, {"help", "info"}, {"-T", "x", "info"}, {"convert", "x"},
        {"resize", "x", "1G"}, {}};
    for (String[] line : declined) {
      assertNull(DirectCommands.parse(line, new ToolIo(sink, sink)), Arrays.toString(line));
    }
  }

  @Test
  void aPicocliSystemPropertySendsEveryLineToPicocli() {
    String[] line = {"info", "x.qcow2"};
    assertNotNull(DirectCommands.parse(line, new ToolIo(sink, sink)));
    String old = System.getProperty("picocli.trace");
    System.setProperty("picocli.trace", "OFF");
    try {
      assertNull(DirectCommands.parse(line, new ToolIo(sink, sink)));
    } finally {
      if (old == null) {
        System.clearProperty("picocli.trace");
      } else {
        System.setProperty("picocli.trace", old);
      }
    }
    assertFalse(System.getProperties().containsKey("picocli.trace") && old == null);
  }
}
