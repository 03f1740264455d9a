package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.io.ReferencePolicy;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --backing-policy}, {@code --confine-to}: which files an untrusted image may name and
 * have opened (its backing chain, its data file), as the provider's env keys
 * {@code backingPolicy} and {@code confineTo} say. qemu-img has no such options; without them
 * every name is followed, as qemu-img follows it.
 *
 * <p>Every command that opens an image takes them (examples/README.md lists them). A command
 * that opens the image alone ({@code info}, {@code snapshot -l}) still refuses an image that
 * names a file the policy refuses, so that under one policy every command answers alike.
 */
final class ReferencePolicyOption {
  @Option(names = "--backing-policy", paramLabel = "policy",
      description = "follow (the default, as qemu-img), none (open no backing or data file the "
          + "image names: refuse it), or confined (only relative names inside --confine-to, "
          + "formats never probed): none or confined for images from anyone else")
  String policy = "follow";
  @Option(names = "--confine-to", paramLabel = "dir",
      description = "the directory of --backing-policy=confined")
  String confineTo;

  ReferencePolicy policy() throws CommandLine.UsageException {
    if (confineTo != null && !policy.equals("confined")) {
      throw new CommandLine.UsageException("--confine-to goes with --backing-policy=confined");
    }
    return switch (policy) {
      case "follow" -> ReferencePolicy.follow();
      case "none" -> ReferencePolicy.none();
      case "confined" -> {
        if (confineTo == null) {
          throw new CommandLine.UsageException(
              "--backing-policy=confined needs --confine-to=DIR");
        }
        yield ReferencePolicy.confinedTo(Path.of(confineTo));
      }
      default -> throw new CommandLine.UsageException("Unknown backing policy '" + policy
          + "': follow, none or confined");
    };
  }

  /**
   * Refuses the image at {@code image} when it names (in {@code ext}) a backing or data file
   * {@code policy} would not open; nothing is opened. For commands that read the image alone.
   */
  static void refuseNames(ReferencePolicy policy, Path image, HeaderExtensions ext)
      throws IOException {
    if (policy.mode() == ReferencePolicy.Mode.FOLLOW) {
      return;
    }
    PathLocation at = new PathLocation(image);
    if (ext.backingFile().isPresent()) {
      policy.resolve(at, ext.backingFile().get(), "backing file");
    }
    if (ext.dataFile().isPresent()) {
      policy.resolve(at, ext.dataFile().get(), "data file");
    }
  }
}
