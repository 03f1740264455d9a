package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.BitmapOptions;
import io.github.qcow2nio.format.BitmapOptions.Action;
import io.github.qcow2nio.format.BitmapOptions.Kind;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.io.ReferencePolicy;
import io.github.qcow2nio.format.Qcow2Image;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 bitmap (--merge SOURCE | --add | --remove | --clear | --enable | --disable)...
 * [-b source_file [-F source_fmt]] [-g granularity] [--object objectdef] [--image-opts | -f fmt]
 * filename bitmap}: as {@code qemu-img bitmap} 7.2, through {@link Qcow2Image#editBitmap}. The
 * actions run in the order given; when one fails, those before it are kept.
 */
@Command(name = "bitmap", description = "adds, removes, clears, enables, disables or merges a "
    + "persistent dirty bitmap, as 'qemu-img bitmap'")
final class BitmapCommand implements Callable<Integer> {
  private final List<Action> actions = new ArrayList<>();

  @Mixin HelpOption help;

  // Setters, so that the actions keep the order of the command line (picocli calls them once
  // per occurrence; a false value is picocli resetting the option, not an occurrence).
  @Option(names = "--add", description = "add the bitmap (enabled)")
  void add(boolean on) {
    action(on, Kind.ADD);
  }

  @Option(names = "--remove", description = "remove the bitmap")
  void remove(boolean on) {
    action(on, Kind.REMOVE);
  }

  @Option(names = "--clear", description = "clear every bit of the bitmap")
  void clear(boolean on) {
    action(on, Kind.CLEAR);
  }

  @Option(names = "--enable", description = "let the bitmap record changes")
  void enable(boolean on) {
    action(on, Kind.ENABLE);
  }

  @Option(names = "--disable", description = "stop the bitmap recording changes")
  void disable(boolean on) {
    action(on, Kind.DISABLE);
  }

  @Option(names = "--merge", paramLabel = "SOURCE",
      description = "add the bits of bitmap SOURCE (of this image, or of -b) to the bitmap")
  void merge(String source) {
    if (source != null) {
      actions.add(Action.merge(source));
    }
  }

  @Option(names = {"-b", "--source-file"}, paramLabel = "source_file",
      description = "the image holding the --merge sources")
  String sourceFile;
  @Option(names = {"-F", "--source-format"}, paramLabel = "source_fmt",
      description = "its format")
  String sourceFormat;
  @Option(names = {"-g", "--granularity"}, paramLabel = "granularity",
      description = "the added bitmap's granularity (a power of two from 512; default: the "
          + "cluster size, 4k to 64k)")
  String granularity;
  @Mixin ObjectOption objects;
  @Mixin ImageOptsOption imageOpts;
  @Mixin FormatOption format;
  @Mixin ReferencePolicyOption references;
  @Parameters(paramLabel = "filename bitmap", arity = "0..*", hideParamSyntax = true,
      description = "the image and the bitmap's name")
  List<String> operands = new ArrayList<>();

  private final ToolIo io;

  BitmapCommand(ToolIo io) {
    this.io = io;
  }

  private void action(boolean on, Kind kind) {
    if (on) {
      actions.add(Action.of(kind));
    }
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    long g = granularity == null ? 0 : granularity(granularity);
    if (actions.isEmpty()) {
      throw ToolError.of("Need at least one of --add, --remove, --clear, --enable, --disable, "
          + "or --merge");
    }
    boolean adds = actions.stream().anyMatch(a -> a.kind() == Kind.ADD);
    boolean merges = actions.stream().anyMatch(a -> a.kind() == Kind.MERGE);
    if (g != 0 && !adds) {
      throw ToolError.of("granularity only supported with --add");
    }
    if (sourceFormat != null && sourceFile == null) {
      throw ToolError.of("-F only supported with -b");
    }
    if (sourceFile != null && !merges) {
      throw ToolError.of("Merge bitmap source file only supported with --merge");
    }
    if (operands.size() != 2) {
      throw ToolError.of("Expecting filename and bitmap name");
    }
    ImageOptsOption.Image image = imageOpts.image(operands.get(0), format);
    String name = operands.get(1);
    Path path = Path.of(image.filename());
    String fmt;
    try {
      fmt = image.format() != null ? image.format() : ImageInspector.probe(path);
    } catch (NoSuchFileException e) {
      throw notFound(operands.get(0), image.filename());
    }
    if (!fmt.equals("qcow2")) {
      if (image.format() == null) {
        io.err().print(RawProbe.warning(image.filename()));
      }
      Action first = actions.get(0);
      throw ToolError.of("Operation " + first.kind().word() + " on bitmap " + name + " failed: "
          + (first.kind() == Kind.ADD ? "Can't store persistent bitmaps to " + image.filename()
              + ": Operation not supported" : "Dirty bitmap '" + name + "' not found"));
    }
    // An encrypted image needs its key (qemu-img's words when none is given).
    KeySecret key = ImageKeys.keySecret(image, objects);
    ReferencePolicy policy = references.policy();
    BitmapOptions options = new BitmapOptions(name, actions, g, false,
        sourceFile == null ? null : Path.of(sourceFile), sourceFormat, policy);
    try (Qcow2Image img = ImageKeys.unlocking(image, () -> Qcow2Image.open(path,
        OpenOptions.readWrite().toBuilder().keySecret(key).referencePolicy(policy)
            .backingKeys(ImageKeys.backingKeys(image, objects)).build()))) {
      img.editBitmap(options);
    } catch (NoSuchFileException e) {
      String f = e.getFile();
      throw notFound(f, f);
    }
    return 0;
  }

  private static ToolError notFound(String operand, String file) {
    return ToolError.of("Could not open '" + operand + "': Could not open '" + file
        + "': No such file or directory");
  }

  /**
   * {@code -g} as qemu-img reads it: a size with an optional suffix, then cut to 32 bits, the
   * width QEMU passes it on in (so 4G is refused as under 512, and 4G+64k is 64k). A value cut to
   * 0 is passed on as 1, which the core refuses with QEMU's message; 0 itself means "default".
   */
  static long granularity(String text) throws ToolError {
    QemuSize.Parsed p = text.startsWith("-") ? null : QemuSize.parse(text);
    if (p == null || p.bytes().bitLength() > 63) {
      throw ToolError.of("Invalid granularity specified. You may use k, M, G, T, P or E "
          + "suffixes for", "kilobytes, megabytes, gigabytes, terabytes, petabytes and "
          + "exabytes.");
    }
    long g = p.bytes().longValue();
    long cut = g & 0xFFFFFFFFL;
    return g != 0 && cut == 0 ? 1 : cut;
  }
}
