package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.io.ReferencePolicy;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 snapshot [--object objectdef] [--image-opts] [-U] [-q] [-l | -a snapshot | -c
 * snapshot | -d snapshot] filename}: as {@code qemu-img snapshot}, over the core's snapshot
 * operations. As qemu-img 7.2: {@code -c} adds a second snapshot of a name that exists (and cuts
 * a name to 255 bytes), {@code -d} looks for the name only, {@code -a} for the ID, then the name;
 * {@code -l} prints the table {@code qemu-img info} prints, nothing when there are no snapshots.
 */
@Command(name = "snapshot", description = "lists, creates, applies or deletes internal "
    + "snapshots, as 'qemu-img snapshot'")
final class SnapshotCommand implements Callable<Integer> {
  /** qemu-img keeps a name in a 256-byte buffer: 255 bytes and the terminating zero. */
  private static final int MAX_NAME_BYTES = 255;
  /** The errno part of a core message, which qemu-img prints without the core's explanation. */
  private static final Pattern ERRNO = Pattern.compile("(-\\d+ \\(([^)]*)\\))");

  @Mixin HelpOption help;
  @Mixin ObjectOption objects;
  @Option(names = "--image-opts",
      description = "the image is given as options, driver=qcow2,file.filename=FILE, not a name")
  boolean imageOpts;
  @Mixin ForceShareOption share;
  @Mixin ReferencePolicyOption references;
  @Mixin QuietOption quiet;
  @Option(names = "-l", description = "list the snapshots")
  boolean[] list = new boolean[0];
  @Option(names = "-a", paramLabel = "snapshot", description = "revert the disk to a snapshot")
  List<String> apply = new ArrayList<>();
  @Option(names = "-c", paramLabel = "snapshot", description = "create a snapshot")
  List<String> create = new ArrayList<>();
  @Option(names = "-d", paramLabel = "snapshot", description = "delete a snapshot")
  List<String> delete = new ArrayList<>();
  @Parameters(paramLabel = "filename", arity = "0..*", hideParamSyntax = true,
      description = "the image")
  List<String> operands = new ArrayList<>();

  private final ToolIo io;
  private final ZoneId zone;

  SnapshotCommand(ToolIo io, ZoneId zone) {
    this.io = io;
    this.zone = zone;
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    int actions = list.length + apply.size() + create.size() + delete.size();
    if (actions > 1) {
      throw ToolError.usage("Cannot mix '-l', '-a', '-c', '-d'");
    }
    if (operands.size() != 1) {
      throw ToolError.usage("Expecting one image file name");
    }
    ImageOptsOption.Image image = imageOpts ? imageOpts(operands.get(0))
        : new ImageOptsOption.Image(operands.get(0), null);
    boolean listing = list.length > 0;
    if (share.forceShare && !listing) {
      throw ToolError.of("Could not open '" + operands.get(0) + "': force-share=on can only be "
          + "used with read-only images");
    }
    Path path = Path.of(image.filename());
    String format;
    try {
      format = image.format() != null ? image.format() : ImageInspector.probe(path);
    } catch (NoSuchFileException e) {
      throw ToolError.of("Could not open '" + operands.get(0) + "': Could not open '"
          + image.filename() + "': No such file or directory");
    }
    if (!format.equals("qcow2")) {
      return raw(image, listing);
    }
    KeySecret key = ImageKeys.keySecret(image, objects);
    ReferencePolicy policy = references.policy();
    if (listing) {
      try (Qcow2Image img = ImageKeys.unlocking(image, () -> Qcow2Image.open(path,
          OpenOptions.builder().openBacking(false).forceShare(share.forceShare).keySecret(key)
              .referencePolicy(policy).build()))) {
        ReferencePolicyOption.refuseNames(policy, path, img.extensions());
        io.out().print(table(img.snapshots()));
      }
      return 0;
    }
    try (Qcow2Image img = Qcow2Image.open(path, OpenOptions.readWrite().toBuilder()
        .keySecret(key).backingKeys(ImageKeys.backingKeys(image, objects))
        .referencePolicy(policy).build())) {
      if (!create.isEmpty()) {
        String name = cut(create.get(0));
        run("Could not create snapshot '" + name + "'", () -> img.createSnapshot(name, false));
      } else if (!apply.isEmpty()) {
        run("Could not apply snapshot '" + apply.get(0) + "'",
            () -> img.applySnapshot(apply.get(0)));
      } else if (!delete.isEmpty()) {
        String action = "Could not delete snapshot '" + delete.get(0) + "'";
        // qemu-img looks the name up before anything else (an image with a data file too).
        if (img.snapshots().stream().noneMatch(s -> s.name().equals(delete.get(0)))) {
          throw ToolError.of(action + ": snapshot not found");
        }
        run(action, () -> img.deleteSnapshotByName(delete.get(0)));
      }
    }
    return 0;
  }

  /** {@code qemu-img snapshot -l}'s table (the one info prints); nothing without snapshots. */
  String table(List<SnapshotEntry> entries) {
    List<ImageInfo.SnapshotInfo> infos = new ArrayList<>();
    for (SnapshotEntry s : entries) {
      infos.add(new ImageInfo.SnapshotInfo(s.id(), s.name(), s.vmStateSize(), s.dateSeconds(),
          s.dateNanos(), s.vmClockNanos(), s.icount()));
    }
    return new InfoText(zone).snapshotList(infos);
  }

  /** A raw image has no snapshots: -l lists none, the changes fail as qemu-img's do. */
  private int raw(ImageOptsOption.Image image, boolean listing) throws ToolError {
    if (listing) {
      return 0;
    }
    if (image.format() == null) {
      io.err().print(RawProbe.warning(image.filename()));
      if (!apply.isEmpty()) {
        // qemu-img 7.2 opens the image a second time to revert it, and warns again.
        io.err().print(RawProbe.warning(image.filename()));
      }
    }
    if (!create.isEmpty()) {
      throw ToolError.of("Could not create snapshot '" + cut(create.get(0))
          + "': -95 (Operation not supported)");
    }
    if (!apply.isEmpty()) {
      throw ToolError.of("Could not apply snapshot '" + apply.get(0)
          + "': Block driver does not support snapshots");
    }
    if (!delete.isEmpty()) {
      throw ToolError.of("Could not delete snapshot '" + delete.get(0)
          + "': snapshot not found");
    }
    return 0;
  }

  @FunctionalInterface
  private interface Change {
    SnapshotEntry run() throws IOException;
  }

  /**
   * Runs a change; a refusal is reported as qemu-img reports it: the action, then QEMU's reason
   * (the errno with its text where qemu-img prints one, without the core's explanation).
   */
  private static void run(String action, Change change) throws IOException, ToolError {
    try {
      change.run();
    } catch (Qcow2Exception | NoSuchFileException | java.nio.file.FileAlreadyExistsException e) {
      String m = e instanceof java.nio.file.FileSystemException f && f.getReason() != null
          ? f.getReason() : e.getMessage();
      int at = m.indexOf(action);
      if (at < 0) {
        throw e;
      }
      String rest = m.substring(at + action.length());
      Matcher errno = ERRNO.matcher(rest);
      if (errno.find()) {
        // qemu-img prints "-95 (Operation not supported)" for a create, the text alone after
        // "Failed to load snapshot: " for an apply; the core's explanation after it goes.
        rest = action.startsWith("Could not apply")
            ? rest.substring(0, errno.start()) + errno.group(2)
            : rest.substring(0, errno.end());
      }
      throw ToolError.of(action + rest);
    }
  }

  /** The name as qemu-img stores it: at most 255 bytes (cut before a character that would not fit). */
  static String cut(String name) {
    if (name.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES) {
      return name;
    }
    int bytes = 0;
    int i = 0;
    while (i < name.length()) {
      int cp = name.codePointAt(i);
      int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + len > MAX_NAME_BYTES) {
        break;
      }
      bytes += len;
      i += Character.charCount(cp);
    }
    return name.substring(0, i);
  }

  private static ImageOptsOption.Image imageOpts(String operand) throws ToolError {
    ImageOptsOption o = new ImageOptsOption();
    o.imageOpts = true;
    return o.image(operand, (String) null);
  }
}
