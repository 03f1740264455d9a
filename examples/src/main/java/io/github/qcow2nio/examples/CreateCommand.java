package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.CreateOptions.Preallocation;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.io.ReferencePolicy;
import io.github.qcow2nio.format.Qcow2Image;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 create [-q] [-f fmt] [-b backing_file [-F backing_fmt]] [-u] [-o options]
 * filename [size]}: a new image as {@code qemu-img create} makes it, byte for byte, through
 * {@link Qcow2Image#create} for qcow2 (raw: a file of the size, rounded up to 512 bytes), with
 * qemu-img's "Formatting" line and its errors, in its order: the command line, then the options
 * and the backing file, then the line, then what the format refuses.
 */
@Command(name = "create", description = "creates a new image, as 'qemu-img create'")
final class CreateCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin QuietOption quiet;
  // Loaded and judged as qemu-img does; -o encrypt.key-secret=ID names one.
  @Mixin ObjectOption objects;
  @Mixin ReferencePolicyOption references;
  @Option(names = "-f", paramLabel = "fmt", description = "qcow2 or raw (the default, as "
      + "qemu-img)")
  String format = "raw";
  @Option(names = "-b", paramLabel = "backing_file",
      description = "the backing file, relative to the new image's directory")
  String backingFile;
  @Option(names = "-F", paramLabel = "backing_fmt", description = "the backing file's format")
  String backingFormat;
  @Option(names = "-u", description = "do not open the backing file (the size must be given)")
  boolean unsafe;
  @Option(names = "-o", paramLabel = "options", description = "creation options, "
      + "key=value,...; -o help lists them")
  List<String> options = new ArrayList<>();
  @Parameters(paramLabel = "filename [size]", arity = "0..*", hideParamSyntax = true,
      description = "the new image and its size (suffixes k, M, G, T, P, E)")
  List<String> operands = new ArrayList<>();

  private final PrintStream out;
  private final PrintStream err;
  private ReferencePolicy policy = ReferencePolicy.follow();

  CreateCommand(ToolIo io) {
    this.out = io.out();
    this.err = io.err();
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    objects.secrets();
    policy = references.policy();
    for (String o : options) {
      CreateOptionList.checkList(o);
    }
    boolean optionHelp = CreateOptionList.wantsHelp(options);
    if (operands.isEmpty() && !optionHelp) {
      throw ToolError.usage("Expecting image file name");
    }
    long size = -1;
    if (operands.size() > 1) {
      size = QemuSize.imageSize(operands.get(1), err);
    }
    if (operands.size() > 2) {
      throw ToolError.usage("Unexpected argument: " + operands.get(2));
    }
    if (!format.equals("qcow2") && !format.equals("raw")) {
      throw ToolError.of((operands.isEmpty() ? "" : operands.get(0) + ": ")
          + "Unknown file format '" + format + "'");
    }
    if (optionHelp) {
      out.print(CreateOptionList.help(format));
      return 0;
    }
    String file = operands.get(0);
    CreateOptionList o = CreateOptionList.parse(format, options, file, err);
    if (size >= 0 && o.get("size") != null) {
      throw ToolError.of(file + ": The image size must be specified only once");
    }
    if (size < 0 && o.get("size") != null) {
      size = Long.parseUnsignedLong(o.get("size"));
    }
    if (backingFile != null) {
      o.put("backing_file", backingFile);
    }
    if (backingFormat != null) {
      o.put("backing_fmt", backingFormat);
    }
    if (format.equals("raw")) {
      return raw(file, size, o);
    }
    size = backing(file, size, o);
    if (size >= 0) {
      o.put("size", Long.toString(size));
    }
    if (!quiet.quiet) {
      out.println(o.formattingLine(file));
    }
    SecretObjects secrets = objects.secrets();
    CreateOptions c = o.qcow2(size, file, id -> secrets.find(id).orElse(null));
    if (unsafe && c.backingFile() != null) {
      Qcow2Image.createUnsafe(Path.of(file), c).close();
    } else {
      Qcow2Image.create(Path.of(file), c).close();
    }
    return 0;
  }

  /**
   * Checks the backing file as qemu-img does before the Formatting line; returns the size, the
   * backing image's when none was given.
   */
  private long backing(String file, long size, CreateOptionList o) throws ToolError {
    String name = o.get("backing_file");
    if (name == null) {
      if (size < 0) {
        throw ToolError.of(file + ": Image creation needs a size parameter");
      }
      return size;
    }
    if (name.isEmpty()) {
      throw ToolError.of(file + ": Expected backing file name, got empty string");
    }
    if (policy.mode() != ReferencePolicy.Mode.FOLLOW) {
      // Checked even with -u, which opens nothing: the new image must not name what the
      // policy would refuse to open.
      try {
        policy.resolve(new PathLocation(Path.of(file).toAbsolutePath()), name, "backing file");
      } catch (IOException e) {
        throw ToolError.of(Main.message(e));
      }
    }
    String fmt = o.get("backing_fmt");
    if (unsafe) {
      if (fmt == null) {
        throw ToolError.of(file + ": Backing file specified without backing format");
      }
      if (size < 0) {
        throw ToolError.of(file + ": Image creation needs a size parameter");
      }
      return size;
    }
    Path path = Path.of(file).toAbsolutePath().resolveSibling(name);
    String detected;
    long backingSize;
    try {
      detected = fmt != null ? fmt : ImageInspector.probe(path);
      if (detected.equals("qcow2")) {
        try (Qcow2Image b = Qcow2Image.open(path,
            OpenOptions.readOnly().toBuilder().referencePolicy(policy).build())) {
          backingSize = b.disk().size();
        }
      } else {
        backingSize = java.nio.file.Files.size(path);
      }
    } catch (IOException e) {
      // Named as qemu-img names it: joined to the image's directory as written.
      String why = e instanceof NoSuchFileException ? "Could not open '"
          + ImageInspector.combine(file, name) + "': No such file or directory"
          : Main.message(e);
      throw ToolError.withHint(file + ": " + why, "Could not open backing image.\n");
    }
    if (fmt == null) {
      // qemu-img names what it would have guessed, without a newline.
      throw ToolError.withHint(file + ": Backing file specified without backing format",
          "Detected format of " + detected + ".");
    }
    return size < 0 ? backingSize : size;
  }

  /** A raw image: the file, at the size rounded up to 512 bytes. */
  private int raw(String file, long size, CreateOptionList o) throws IOException, ToolError {
    if (o.get("backing_file") != null) {
      throw ToolError.of(file + ": Backing file not supported for file format 'raw'");
    }
    if (size < 0) {
      throw ToolError.of(file + ": Image creation needs a size parameter");
    }
    o.put("size", Long.toString(size));
    if (!quiet.quiet) {
      out.println(o.formattingLine(file));
    }
    Preallocation p = o.preallocation(file);
    if (p == Preallocation.METADATA) {
      throw ToolError.of(file + ": Unsupported preallocation mode: metadata");
    }
    long length = (size + 511) & ~511L;
    try (FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      // Off and falloc alike leave a hole: the JDK cannot reserve blocks without writing them.
      RawFiles.grow(ch, 0, length, p == Preallocation.FULL);
      ch.force(true);
    }
    return 0;
  }
}
