package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.InspectionPolicy;
import io.github.qcow2nio.format.InspectionReport;
import io.github.qcow2nio.format.InspectionResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 inspect [--output=human|json] [--policy=P] [--confine-to=DIR] filename}: what an
 * untrusted image asks for, read from its first cluster without following anything, and the
 * verdict of a policy, through {@link ImageOperations#inspect}. Exit status 0 when the image
 * passes, 2 when the policy refuses it, 1 when it cannot be read or is malformed.
 */
@Command(name = "inspect",
    description = "what an untrusted image would make a reader touch, and a policy's verdict")
final class InspectCommand implements Callable<Integer> {
  /** The exit status of an image the policy refuses. */
  static final int REFUSED = 2;

  @Mixin HelpOption help;
  @Mixin OutputOption output;
  @Option(names = "--policy", paramLabel = "policy",
      description = "untrusted (the default: no backing or data file, no unknown feature, no "
          + "second format signature, not corrupt), no-external, confined (backing and data "
          + "files inside --confine-to only), or trusted (report only)")
  String policy = "untrusted";
  @Option(names = "--confine-to", paramLabel = "dir",
      description = "the directory of --policy=confined")
  String confineTo;
  @Parameters(paramLabel = "filename", arity = "0..*", hideParamSyntax = true,
      description = "the image")
  List<String> operands = new ArrayList<>();

  private final PrintStream out;

  InspectCommand(ToolIo io) {
    this.out = io.out();
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    boolean json = output.json();
    if (operands.size() != 1) {
      throw new CommandLine.UsageException("Expecting one image file name");
    }
    InspectionPolicy p = policy();
    Path image = Path.of(operands.get(0));
    InspectionResult r;
    try {
      r = ImageOperations.inspect(image, p);
    } catch (NoSuchFileException e) {
      throw ToolError.of("Could not open '" + operands.get(0) + "': No such file or directory");
    }
    if (json) {
      out.println(Json.pretty(json(r)));
    } else {
      human(r);
    }
    return r.passes() ? 0 : REFUSED;
  }

  private InspectionPolicy policy() throws CommandLine.UsageException {
    if (confineTo != null && !policy.equals("confined")) {
      throw new CommandLine.UsageException("--confine-to goes with --policy=confined");
    }
    return switch (policy) {
      case "untrusted" -> InspectionPolicy.untrusted();
      case "no-external" -> InspectionPolicy.noExternalReferences();
      case "trusted" -> InspectionPolicy.trusted();
      case "confined" -> {
        if (confineTo == null) {
          throw new CommandLine.UsageException("--policy=confined needs --confine-to=DIR");
        }
        yield InspectionPolicy.confinedTo(Path.of(confineTo));
      }
      default -> throw new CommandLine.UsageException("Unknown policy '" + policy
          + "': untrusted, no-external, confined or trusted");
    };
  }

  private void human(InspectionResult result) {
    InspectionReport r = result.report();
    out.println("image: " + r.image());
    out.println("format: " + r.format());
    out.println("signatures: " + (r.signatures().isEmpty() ? "none"
        : String.join(", ", r.signatures())));
    if (r.format().equals("qcow2")) {
      out.println("version: " + r.version());
      out.println("virtual size: " + r.virtualSize());
      out.println("cluster size: " + r.clusterSize());
      out.println("backing file: " + r.backingFile().orElse("none"));
      r.backingFile().ifPresent(b -> out.println("backing format: "
          + r.backingFormat().orElse("not named (a reader would probe)")));
      out.println("data file: " + r.dataFile().map(d -> d.isEmpty() ? "not named" : d)
          .orElse("none") + (r.dataFileRaw() ? " (raw)" : ""));
      out.println("encryption: " + r.encryption().orElse("none"));
      out.println("dirty: " + yesNo(r.dirty()));
      out.println("corrupt: " + yesNo(r.corrupt()));
      out.println(String.format("unknown features: incompatible 0x%x, compatible 0x%x, "
          + "autoclear 0x%x", r.unknownIncompatibleFeatures(), r.unknownCompatibleFeatures(),
          r.unknownAutoclearFeatures()));
      List<String> ext = new ArrayList<>();
      for (int type : r.unknownExtensions()) {
        ext.add(String.format("0x%08x", type));
      }
      out.println("unknown extensions: " + (ext.isEmpty() ? "none" : String.join(", ", ext)));
      out.println("snapshots: " + r.snapshots());
      out.println("bitmaps: " + r.bitmaps());
    } else {
      out.println("size: " + r.virtualSize());
    }
    out.println("policy: " + result.policy().name());
    out.println("verdict: " + (result.passes() ? "passes" : "refused"));
    for (String v : result.violations()) {
      out.println("  " + v);
    }
  }

  private static Map<String, Object> json(InspectionResult result) {
    InspectionReport r = result.report();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("filename", r.image());
    m.put("format", r.format());
    m.put("signatures", r.signatures());
    if (r.format().equals("qcow2")) {
      m.put("version", r.version());
      m.put("virtual-size", r.virtualSize());
      m.put("cluster-size", r.clusterSize());
      put(m, "backing-filename", r.backingFile());
      put(m, "backing-filename-format", r.backingFormat());
      put(m, "data-file", r.dataFile());
      m.put("data-file-raw", r.dataFileRaw());
      put(m, "encryption", r.encryption());
      m.put("dirty-flag", r.dirty());
      m.put("corrupt", r.corrupt());
      m.put("unknown-incompatible-features", r.unknownIncompatibleFeatures());
      m.put("unknown-compatible-features", r.unknownCompatibleFeatures());
      m.put("unknown-autoclear-features", r.unknownAutoclearFeatures());
      List<Object> ext = new ArrayList<>(r.unknownExtensions());
      m.put("unknown-extensions", ext);
      m.put("snapshots", r.snapshots());
      m.put("bitmaps", r.bitmaps());
    } else {
      m.put("size", r.virtualSize());
    }
    m.put("policy", result.policy().name());
    m.put("passes", result.passes());
    m.put("violations", result.violations());
    return m;
  }

  private static void put(Map<String, Object> m, String key, Optional<String> value) {
    value.ifPresent(v -> m.put(key, v));
  }

  private static String yesNo(boolean b) {
    return b ? "yes" : "no";
  }
}
