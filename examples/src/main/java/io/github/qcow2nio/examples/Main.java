package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.error.ImageLockedException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The qcow2 command-line tool: {@code java -jar qcow2.jar <command> [options]}. Its commands
 * print what the qemu-img commands of the same name print, read through this library alone; the
 * command line is parsed by picocli ({@link Tool}), errors are reported by {@link ToolErrors};
 * the metadata commands' well-formed lines are read without it ({@link DirectCommands}).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // UTF-8 whatever the platform default: snapshot and file names pass through unchanged.
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true,
        StandardCharsets.UTF_8);
    int status = run(args, out, err);
    out.flush();
    err.flush();
    System.exit(status);
  }

  /** Runs the tool; returns the exit status: 0 on success, 1 on a usage error or a failure. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    // Without a command: info on the sample image bundled in the jar.
    String[] line = args.length == 0 ? new String[] {"info"} : args;
    // The metadata commands' well-formed lines run without picocli (issue 13: start-up).
    Integer direct = DirectCommands.run(line, out, err);
    if (direct != null) {
      out.flush();
      err.flush();
      return direct;
    }
    line = args.length == 0 ? line : ResizeCommand.sizeLast(args);
    picocli.CommandLine cli = Tool.forLine(out, err, line);
    int status = cli.execute(line);
    cli.getOut().flush();
    cli.getErr().flush();
    out.flush();
    err.flush();
    return status;
  }

  /** The JDK's file exceptions carry only the file name; say what went wrong, as qemu-img does. */
  static String message(IOException e) {
    if (e instanceof ImageLockedException l) {
      return "Could not open '" + l.file() + "': " + l.getMessage();
    }
    if (e instanceof NoSuchFileException n) {
      return "Could not open '" + n.getFile() + "': No such file or directory";
    }
    if (e instanceof AccessDeniedException a) {
      return "Could not open '" + a.getFile() + "': Permission denied";
    }
    if (e instanceof FileAlreadyExistsException f) {
      return "'" + f.getFile() + "': File exists";
    }
    if (e instanceof NotDirectoryException n) {
      return "'" + n.getFile() + "': Not a directory";
    }
    if (e instanceof DirectoryNotEmptyException d) {
      return "'" + d.getFile() + "': Directory not empty";
    }
    if (e instanceof FileSystemException f && f.getReason() != null && f.getFile() != null) {
      return "'" + f.getFile() + "': " + f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }
}
