package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.error.ImageLockedException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.ReadOnlyFileSystemException;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The qcow2 command-line tool: {@code java -jar qcow2.jar <command> [options]}. Its commands
 * print what the qemu-img commands of the same name print, read through this library alone.
 */
public final class Main {
  static final String USAGE = String.join("\n",
      "usage: qcow2 <command> [options]",
      "",
      "Commands:",
      "  info [--output=human|json] [--backing-chain] [-f qcow2|raw] [-U] [IMAGE]",
      "      what 'qemu-img info' prints; without IMAGE, the sample image bundled in the jar",
      "  map [--output=human|json] [-f qcow2|raw] [--start-offset=N] [--max-length=N] [-U]",
      "      IMAGE",
      "      how guest ranges map to the image's files, as 'qemu-img map' prints it",
      "  check [-f qcow2|raw] [-r leaks|all] [--output=human|json] [-q] [-U] IMAGE",
      "      checks the image's metadata (and repairs it with -r) as 'qemu-img check';",
      "      exit 0 clean, 2 corruptions, 3 leaks only, 1 check failed, 63 not supported",
      "  convert [-f FMT] [-O qcow2|raw] [-o OPTIONS] [-B BACKING [-F FMT]] [-l SNAPSHOT]",
      "      [-S SIZE] [-n] [-c] [-p] [-q] [-U] [-W] [-m N] SOURCE TARGET",
      "      copies a disk into a new image, keeping it sparse, as 'qemu-img convert'",
      "  measure [--output=human|json] [-O FMT] [-o OPTIONS] [--size N | [-f FMT] [-l SNAP] IMAGE]",
      "      the size a new image needs, as 'qemu-img measure' prints it",
      "  compare [-f FMT] [-F FMT] [-s] [-p] [-q] [-U] IMAGE1 IMAGE2",
      "      whether two disks read the same, as 'qemu-img compare' (exit 0, 1, 2 on errors)",
      "",
      "Inside the disk (IMAGE is qcow2, with any backing chain, or raw; N:PATH is PATH in",
      "partition N, PATH alone a file system filling the whole disk; FAT and ext2/3/4):",
      "  partitions IMAGE",
      "      the partition table (MBR or GPT): number, start, end, size, type, name",
      "  ls [-l] [-R] IMAGE [N:]PATH",
      "      the files in a directory, as virt-ls; -l mode, size, time; -R recursive",
      "  cat IMAGE [N:]PATH",
      "      a file to stdout, as virt-cat",
      "  get IMAGE [N:]PATH FILE",
      "      copies a file out of the image to FILE (or into the directory FILE)",
      "  put IMAGE [N:]PATH FILE",
      "      copies FILE into the image at PATH (or into the directory PATH); FAT only",
      "  mkfs [--label=LABEL] IMAGE N fat32|fat16|fat12",
      "      formats partition N with an empty FAT file system",
      "  partition IMAGE gpt|mbr SIZE[:TYPE]...",
      "      writes a new partition table on a disk without one; SIZE as 64M, 1G, or '-'",
      "      for the rest of the disk; TYPE linux (default), efi, swap, msdata, ...",
      "",
      "  help",
      "      this text",
      "",
      "Options:",
      "  -U, --force-share",
      "      open the image even while another program (a VM, qemu-io) holds it, as",
      "      'qemu-img -U': without it, an image in use fails with QEMU's lock message",
      "",
      "Without a command, qcow2 runs 'info' on the bundled sample image.",
      "");

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
    List<String> list = Arrays.asList(args);
    String name = list.isEmpty() ? "info" : list.get(0);
    List<String> rest = list.isEmpty() ? List.of() : list.subList(1, list.size());
    if (name.equals("help") || name.equals("--help") || name.equals("-h")) {
      out.print(USAGE);
      return 0;
    }
    Command command = commands().get(name);
    if (command == null) {
      err.println("qcow2: unknown command '" + name + "'");
      err.print(USAGE);
      return 1;
    }
    if (rest.contains("--help") || rest.contains("-h")) {
      out.print(USAGE);
      return 0;
    }
    try {
      return command.run(rest, out, err);
    } catch (CommandLine.UsageException e) {
      err.println("qcow2: " + name + ": " + e.getMessage());
      err.print(USAGE);
      return 1;
    } catch (IOException e) {
      err.println("qcow2: " + message(e));
      return 1;
    } catch (UncheckedIOException e) {
      err.println("qcow2: " + message(e.getCause()));
      return 1;
    } catch (InvalidPathException e) {
      err.println("qcow2: " + e.getMessage());
      return 1;
    } catch (ReadOnlyFileSystemException e) {
      err.println("qcow2: " + name + ": the file system is read-only");
      return 1;
    }
  }

  private static Map<String, Command> commands() {
    ImageInspector inspector = new ImageInspector(HostAllocation.allocatedBlocks());
    return Map.ofEntries(
        Map.entry("info", new InfoCommand(inspector, ZoneId.systemDefault())),
        Map.entry("map", new MapCommand()),
        Map.entry("check", new CheckCommand()),
        Map.entry("convert", new ConvertCommand()),
        Map.entry("measure", new MeasureCommand()),
        Map.entry("compare", new CompareCommand()),
        Map.entry("partitions", new PartitionsCommand()),
        Map.entry("ls", new LsCommand(ZoneId.systemDefault())),
        Map.entry("cat", new CatCommand()),
        Map.entry("get", new GetCommand()),
        Map.entry("put", new PutCommand()),
        Map.entry("mkfs", new MkfsCommand()),
        Map.entry("partition", new PartitionCommand()));
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
