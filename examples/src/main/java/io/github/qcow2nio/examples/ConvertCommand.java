package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.ConvertOptions;
import io.github.qcow2nio.format.ConvertResult;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ImageSource;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 convert [-f fmt] [-O output_fmt] [-o options] [-B backing_file [-F backing_fmt]]
 * [-l snapshot_param] [-S sparse_size] [-n] [-c] [-p] [-q] [-U] [-W] [-m num] filename
 * output_filename}: what {@code qemu-img convert} does, through {@link ImageOperations#convert}.
 * The target stays sparse: zero ranges and runs of zeros of at least {@code -S} bytes (4 KiB)
 * are not written. {@code -o encrypt.format=luks,encrypt.key-secret=ID[,encrypt.*]} makes an
 * encrypted target; {@code -n --target-image-opts driver=qcow2,file.filename=F,
 * encrypt.key-secret=ID} writes into an existing encrypted one; a source's backing layers take
 * their own secrets with {@code backing.[backing.]encrypt.key-secret=ID} in {@code --image-opts}.
 */
@Command(name = "convert",
    description = "copies a disk into a new image, keeping it sparse, as 'qemu-img convert'")
final class ConvertCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Option(names = "-f", paramLabel = "fmt", description = "the source's format")
  String format;
  @Option(names = "-O", paramLabel = "output_fmt",
      description = "the target's format: raw (the default) or qcow2")
  String outFormat;
  @Option(names = "--target-image-opts", description = "with -n: the target is given as "
      + "options, driver=qcow2,file.filename=FILE[,encrypt.key-secret=ID], not a name")
  boolean targetImageOpts;
  @Option(names = "-o", paramLabel = "options",
      description = "the target's creation options, key=value,...")
  List<String> options = new ArrayList<>();
  @Option(names = "-B", paramLabel = "backing_file", description = "the target's backing file")
  String backing;
  @Option(names = "-F", paramLabel = "backing_fmt", description = "the backing file's format")
  String backingFormat;
  @Option(names = "-l", paramLabel = "snapshot_param",
      description = "copy a snapshot: snapshot.name=NAME, snapshot.id=ID, or a name or ID")
  String snapshot;
  @Option(names = "-S", paramLabel = "sparse_size",
      description = "zeros this long (default 4k) are left unwritten; 0 writes every byte")
  String sparse;
  @Option(names = "-n", description = "the target exists: do not create it")
  boolean noCreate;
  @Option(names = "-c", description = "compress the target's clusters (qcow2)")
  boolean compress;
  @Mixin ObjectOption objects;
  @Mixin ImageOptsOption imageOpts;
  @Mixin ProgressOption progress;
  @Mixin QuietOption quiet;
  @Mixin ForceShareOption share;
  @Mixin ReferencePolicyOption references;
  @Option(names = "--bitmaps", description = "copy the persistent bitmaps")
  boolean bitmaps;
  @Mixin CacheOptions.Target cache;
  @Mixin CacheOptions.Source sourceCache;
  // Accepted as qemu-img takes them: writes here are in order, one at a time, unthrottled.
  @Option(names = "-W", description = "out-of-order writes (accepted)")
  boolean outOfOrder;
  @Option(names = "-m", paramLabel = "num_coroutines", description = "parallel requests "
      + "(accepted)")
  String coroutines;
  @Option(names = "-r", paramLabel = "rate_limit", description = "rate limit (accepted)")
  String rate;
  @Option(names = "-C", description = "copy offloading (accepted)")
  boolean copyOffload;
  @Option(names = "--target-is-zero", description = "the target reads as zeros (accepted)")
  boolean targetIsZero;
  @Option(names = "--skip-broken-bitmaps", description = "with --bitmaps: leave out "
      + "inconsistent bitmaps (with a warning) instead of refusing")
  boolean skipBrokenBitmaps;
  @Parameters(paramLabel = "filename output_filename", arity = "0..*", hideParamSyntax = true,
      description = "the source and the target")
  List<String> operands = new ArrayList<>();

  private final PrintStream out;
  private final PrintStream err;

  ConvertCommand(ToolIo io) {
    this.out = io.out();
    this.err = io.err();
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    if (skipBrokenBitmaps && !bitmaps) {
      throw ToolError.of("Use of --skip-broken-bitmaps requires --bitmaps");
    }
    if (targetImageOpts && !noCreate) {
      throw ToolError.of("--target-image-opts requires use of -n flag");
    }
    if (targetImageOpts && outFormat != null) {
      throw ToolError.of("--image-opts and --format are mutually exclusive");
    }
    String from = format == null || imageOpts.imageOpts ? format : format(format);
    String to = format(outFormat == null ? "raw" : outFormat);
    Map<String, String> create = QemuOptions.keyValues(options);
    Map<String, String> encrypt = ConvertTarget.encryptOptions(create);
    long sparseSize = sparse == null ? ConvertOptions.DEFAULT_SPARSE_SIZE : sparseSize(sparse);
    cache.check();
    sourceCache.check();
    if (operands.size() < 2) {
      throw ToolError.of("Must specify image file name");
    }
    if (operands.size() > 2) {
      throw new CommandLine.UsageException("only one source image is supported");
    }
    if (backing != null && to.equals("raw")) {
      throw ToolError.of("Backing file not supported for file format 'raw'");
    }
    if (backingFormat != null && backing == null) {
      throw new CommandLine.UsageException("-F requires -B");
    }
    CreateOptions c = CreateOptionsText.parse(create, 0);
    if (backing != null) {
      c = c.toBuilder().backingFile(backing).backingFormat(backingFormat).build();
    }
    ImageOptsOption.Image in = imageOpts.image(operands.get(0), from);
    ImageSource source = new ImageSource(Path.of(in.filename()), in.format(),
        snapshot == null ? null : snapshot(snapshot), share.forceShare,
        references.policy(), ImageKeys.keySecret(in, objects))
        .withBackingKeys(ImageKeys.backingKeys(in, objects));
    ConvertTarget target = ConvertTarget.of(operands.get(1), targetImageOpts, noCreate, to,
        objects);
    c = c.toBuilder().encryption(ConvertTarget.encryption(encrypt, target.filename(),
        compress && !noCreate, objects)).build();
    ConvertOptions o = ConvertOptions.builder(source, Path.of(target.filename()),
        target.format()).create(c).noCreate(noCreate).sparseSize(sparseSize).compress(compress)
        .bitmaps(bitmaps).skipBrokenBitmaps(skipBrokenBitmaps)
        .targetKeySecret(target.keySecret())
        // qemu-img convert writes its target with cache mode "unsafe" unless -t says otherwise.
        .forceWrites(cache.forcesWrites("unsafe")).build();
    ProgressPrinter line = progress.printer(out, quiet.quiet, 1.0);
    ConvertResult r = ImageKeys.unlocking(in, () -> target.unlocking(
        () -> ImageOperations.convert(o, line)));
    line.finish();
    for (String name : r.skippedBitmaps()) {
      err.println("qcow2: warning: Skipping inconsistent bitmap '" + name + "'");
    }
    return 0;
  }

  private static String format(String v) throws CommandLine.UsageException {
    if (!v.equals("qcow2") && !v.equals("raw")) {
      throw new CommandLine.UsageException("Unknown file format '" + v
          + "' (qcow2 and raw are supported)");
    }
    return v;
  }

  /** {@code -l}: {@code snapshot.name=NAME}, {@code snapshot.id=ID}, or a name or ID. */
  static String snapshot(String v) {
    if (v.startsWith("snapshot.name=")) {
      return v.substring("snapshot.name=".length());
    }
    if (v.startsWith("snapshot.id=")) {
      return v.substring("snapshot.id=".length());
    }
    return v;
  }

  /** {@code -S}: bytes with qemu-img's suffixes, a whole number of 512-byte sectors. */
  private static long sparseSize(String v) throws CommandLine.UsageException {
    long n = CommandLine.parseSize("-S", v);
    if (n % 512 != 0) {
      throw new CommandLine.UsageException("Invalid buffer size for sparse output specified. "
          + "Valid sizes are multiples of 512 up to 2097152.");
    }
    return n;
  }
}
