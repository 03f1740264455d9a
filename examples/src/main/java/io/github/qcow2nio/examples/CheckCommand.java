package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CheckOptions;
import io.github.qcow2nio.format.CheckOptions.Repair;
import io.github.qcow2nio.format.CheckResult;
import io.github.qcow2nio.format.Qcow2Image;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code qcow2 check [-f FMT] [-r leaks|all] [--output=human|json] [-q] [-U] IMAGE}: what
 * {@code qemu-img check} prints, with its exit status (0 clean, 1 check failed, 2 corruptions,
 * 3 leaks only, 63 a format without checks). Problems found go to stderr in qemu-img's words.
 * Its command line is parsed here, apart from the other commands', as qemu-img's check takes it.
 */
public final class CheckCommand implements Command {
  /** qemu-img's status for a format that has no check (raw). */
  static final int NOT_SUPPORTED = 63;

  /** The command line of {@code check}. */
  record Args(String format, Repair repair, boolean json, boolean quiet, boolean forceShare,
      String image) {

    static Args parse(List<String> args) throws CommandLine.UsageException {
      String format = null;
      Repair repair = Repair.NONE;
      String output = "human";
      boolean quiet = false;
      boolean share = false;
      String image = null;
      boolean options = true;
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (!options || !a.startsWith("-") || a.equals("-")) {
          if (image != null) {
            throw new CommandLine.UsageException("check takes one image");
          }
          image = a;
        } else if (a.equals("--")) {
          options = false;
        } else if (a.equals("-f")) {
          format = value(args, ++i, a);
        } else if (a.equals("-r")) {
          repair = repair(value(args, ++i, a));
        } else if (a.startsWith("-r") && a.length() > 2) {
          repair = repair(a.substring(2));
        } else if (a.startsWith("--output=")) {
          output = a.substring("--output=".length());
        } else if (a.equals("--output")) {
          output = value(args, ++i, a);
        } else if (a.equals("-q")) {
          quiet = true;
        } else if (a.equals("-U") || a.equals("--force-share")) {
          share = true;
        } else if (a.equals("-T")) {
          value(args, ++i, a); // the cache mode: meaningless here, as for qemu-img's reads
        } else {
          throw new CommandLine.UsageException("unknown option '" + a + "'");
        }
      }
      if (!output.equals("human") && !output.equals("json")) {
        throw new CommandLine.UsageException(
            "--output must be used with human or json as argument.");
      }
      if (image == null) {
        throw new CommandLine.UsageException("Expecting one image file name");
      }
      if (share && repair != Repair.NONE) {
        throw new CommandLine.UsageException(
            "force-share=on can only be used with read-only images");
      }
      return new Args(format, repair, output.equals("json"), quiet, share, image);
    }

    private static Repair repair(String v) throws CommandLine.UsageException {
      return switch (v) {
        case "leaks" -> Repair.LEAKS;
        case "all" -> Repair.ALL;
        default -> throw new CommandLine.UsageException(
            "Unknown option value for -r (expecting 'leaks' or 'all'): " + v);
      };
    }

    private static String value(List<String> args, int i, String option)
        throws CommandLine.UsageException {
      if (i >= args.size()) {
        throw new CommandLine.UsageException("option '" + option + "' needs a value");
      }
      return args.get(i);
    }
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err)
      throws IOException, CommandLine.UsageException {
    Args a = Args.parse(args);
    Path path = Path.of(a.image());
    String format = a.format() != null ? a.format() : (isQcow2(path) ? "qcow2" : "raw");
    if (!format.equals("qcow2")) {
      if (!format.equals("raw")) {
        throw new CommandLine.UsageException("Unknown file format '" + format + "'");
      }
      err.println("qcow2: This image format does not support checks");
      return NOT_SUPPORTED;
    }
    CheckOptions options = CheckOptions.repair(a.repair()).withForceShare(a.forceShare())
        .withMessages(err::println);
    CheckResult r = Qcow2Image.check(path, options);
    if (!a.quiet()) {
      if (a.json()) {
        out.println(CheckReport.json(a.image(), "qcow2", r));
      } else {
        out.print(CheckReport.human(r));
      }
    }
    if (r.checkErrors() > 0) {
      err.println("qcow2: Check failed");
    }
    return r.exitCode();
  }

  private static boolean isQcow2(Path path) throws IOException {
    byte[] magic = new byte[4];
    try (InputStream in = Files.newInputStream(path)) {
      return in.readNBytes(magic, 0, 4) == 4 && magic[0] == 'Q' && magic[1] == 'F'
          && magic[2] == 'I' && (magic[3] & 0xFF) == 0xFB;
    }
  }
}
