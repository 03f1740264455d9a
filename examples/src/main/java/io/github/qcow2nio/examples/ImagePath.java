package io.github.qcow2nio.examples;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file named inside a disk image as the file commands take it: {@code N:PATH} in partition N,
 * or {@code PATH} in a file system that fills the whole (unpartitioned) disk.
 *
 * @param partition the partition number, or 0 for the whole disk
 * @param path the absolute path inside the file system
 * @param spec the argument as given, for messages
 */
public record ImagePath(int partition, String path, String spec) {
  private static final Pattern NUMBERED = Pattern.compile("(\\d+):(.*)", Pattern.DOTALL);

  /** Parses {@code [N:]PATH}; a relative PATH is taken from the root, as virt-ls does. */
  public static ImagePath parse(String spec) throws CommandLine.UsageException {
    int partition = 0;
    String path = spec;
    Matcher m = NUMBERED.matcher(spec);
    if (m.matches()) {
      try {
        partition = Integer.parseInt(m.group(1));
      } catch (NumberFormatException e) {
        partition = 0;
      }
      if (partition < 1) {
        throw new CommandLine.UsageException("partition numbers start at 1: '" + spec + "'");
      }
      path = m.group(2);
    }
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    return new ImagePath(partition, path, spec);
  }

  /** Whether the file system fills the whole disk (no {@code N:} given). */
  public boolean wholeDisk() {
    return partition == 0;
  }
}
