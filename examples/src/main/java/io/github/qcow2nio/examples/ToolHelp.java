package io.github.qcow2nio.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The tool's {@code --help}, shaped as qemu-img's: the standard options and the commands, then
 * "Command syntax" (every command's synopsis) and the options the commands share, all generated
 * by picocli from the commands' annotations.
 */
final class ToolHelp {
  private static final String SYNTAX = "commandSyntax";
  private static final String SHARED = "sharedOptions";

  /** The mixins the qemu-img commands share, gathered to describe them once. */
  @Command
  static final class SharedOptions {
    @Mixin FormatOption format;
    @Mixin ImageOptsOption imageOpts;
    @Mixin OutputOption output;
    @Mixin ForceShareOption share;
    @Mixin QuietOption quiet;
    @Mixin ProgressOption progress;
  }

  private ToolHelp() {}

  static void install(picocli.CommandLine cli) {
    cli.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
    List<String> keys = new ArrayList<>(cli.getHelpSectionKeys());
    int at = keys.indexOf(picocli.CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING);
    keys.add(at, SYNTAX);
    keys.add(at + 1, SHARED);
    cli.setHelpSectionKeys(keys);
    cli.getHelpSectionMap().put(SYNTAX, help -> syntax(cli));
    cli.getHelpSectionMap().put(SHARED, help -> shared(cli));
  }

  private static String syntax(picocli.CommandLine cli) {
    StringBuilder sb = new StringBuilder("\nCommand syntax:\n");
    for (Map.Entry<String, picocli.CommandLine> e : cli.getSubcommands().entrySet()) {
      if (!e.getKey().equals("help")) {
        sb.append("  ").append(e.getValue().getHelp().synopsis(0));
      }
    }
    return sb.toString();
  }

  private static String shared(picocli.CommandLine cli) {
    CommandSpec spec = CommandSpec.forAnnotatedObject(new SharedOptions());
    Help help = new Help(spec, cli.getColorScheme());
    return "\nOptions the commands share (see each command's --help for which it takes):\n"
        + help.optionList();
  }
}
