package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.AmendOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.io.ReferencePolicy;
import io.github.qcow2nio.format.Qcow2Image;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 amend [--object objectdef] [--image-opts] [-p] [-q] [-f fmt] [-t cache] [--force]
 * -o options filename}: as {@code qemu-img amend}, through {@link ImageOperations#amend}; this
 * command only reads the command line and prints, in qemu-img's order: the -o and file name
 * checks, the image opened, the format's support, {@code -o help}, the option list, then what
 * the library refuses.
 */
@Command(name = "amend", description = "changes a qcow2 image's options in place, as "
    + "'qemu-img amend'")
final class AmendCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin ObjectOption objects;
  @Mixin ImageOptsOption imageOpts;
  @Mixin ProgressOption progress;
  @Mixin QuietOption quiet;
  @Mixin ReferencePolicyOption references;
  @Option(names = "-f", paramLabel = "fmt", description = "the image format: qcow2 (raw "
      + "images have no options to amend)")
  String format;
  @Mixin CacheOptions.Target cache;
  @Option(names = "--force", description = "with encrypt.*: overwrite an active key slot, "
      + "erase an inactive one or the last one (which loses the data for good)")
  boolean force;
  @Option(names = "-o", paramLabel = "options", description = "key=value,...; -o help lists "
      + "what can change")
  List<String> options = new ArrayList<>();
  @Parameters(paramLabel = "filename", arity = "0..*", hideParamSyntax = true,
      description = "the image")
  List<String> operands = new ArrayList<>();

  private final PrintStream out;
  private final PrintStream err;

  AmendCommand(ToolIo io) {
    this.out = io.out();
    this.err = io.err();
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    for (String o : options) {
      CreateOptionList.checkList(o);
    }
    if (options.isEmpty()) {
      throw ToolError.usage("Must specify options (-o)");
    }
    if (operands.size() != 1) {
      throw ToolError.of("Expecting one image file name");
    }
    cache.check();
    ImageOptsOption.Image image = imageOpts.image(operands.get(0), format);
    String name = image.filename();
    Path path = Path.of(name);
    String fmt = image.format() != null ? image.format() : ImageInspector.probe(path);
    if (image.format() == null && fmt.equals("raw")) {
      err.print("WARNING: Image format was not specified for '" + name
          + "' and probing guessed raw.\n"
          + "         Automatically detecting the format is dangerous for raw images, write "
          + "operations on block 0 will be restricted.\n"
          + "         Specify the 'raw' format explicitly to remove the restrictions.\n");
    }
    int crypt;
    // The key of an encrypted image: it unlocks the image for its key slots and other options.
    KeySecret key = fmt.equals("qcow2") ? ImageKeys.keySecret(image, objects) : null;
    // qemu-img opens the image before it looks at the options: its errors come first.
    ReferencePolicy policy = references.policy();
    try (Qcow2Image img = fmt.equals("qcow2") ? ImageKeys.unlocking(image,
        () -> Qcow2Image.open(path, OpenOptions.builder().keySecret(key)
            .referencePolicy(policy).build())) : null) {
      crypt = img == null ? 0 : img.header().cryptMethod();
    }
    if (!fmt.equals("qcow2")) {
      throw ToolError.of("Format driver '" + fmt + "' does not support option amendment");
    }
    if (CreateOptionList.wantsHelp(options)) {
      out.print(AmendOptionList.HELP);
      return 0;
    }
    Map<String, String> encrypt = new LinkedHashMap<>();
    AmendOptions o = AmendOptionList.parse(path, options, err, encrypt);
    o = new AmendOptions(o.image(), o.version(), o.lazyRefcounts(), o.refcountBits(), o.size(),
        o.backingFile(), o.backingFormat(), o.dataFile(), o.dataFileRaw(), policy);
    if (!encrypt.isEmpty()) {
      if (crypt == 0) {
        throw ToolError.of("Can't amend encryption options - encryption not present");
      }
      if (crypt != 2) {
        throw ToolError.of("Only LUKS encryption options can be amended");
      }
      o = new AmendOptions(o.image(), o.version(), o.lazyRefcounts(), o.refcountBits(), o.size(),
          o.backingFile(), o.backingFormat(), o.dataFile(), o.dataFileRaw(), policy, key,
          KeySlotOptions.change(encrypt, objects.secrets(), force));
    } else if (crypt != 0) {
      // The other options of an encrypted image: the key opens it for the steps that need it.
      o = new AmendOptions(o.image(), o.version(), o.lazyRefcounts(), o.refcountBits(), o.size(),
          o.backingFile(), o.backingFormat(), o.dataFile(), o.dataFileRaw(), policy, key, null);
    }
    ProgressPrinter line = progress.printer(out, quiet.quiet, 1.0);
    try {
      ImageOperations.amend(o, line);
    } catch (IOException e) {
      String m = KeySlotOptions.secretMessage(Main.message(e));
      int newline = m.indexOf('\n');
      if (newline >= 0) {
        // qemu-img's hint below a key slot error ("Failed to write to keyslot N"), which it
        // prints without a newline.
        throw ToolError.withHint(m.substring(0, newline), m.substring(newline + 1));
      }
      if (m.equals("Cannot amend the backing file")) {
        throw ToolError.withHint(m, "You can use 'qemu-img rebase' instead.\n");
      }
      throw ToolError.of(m);
    }
    line.newline();
    return 0;
  }
}
