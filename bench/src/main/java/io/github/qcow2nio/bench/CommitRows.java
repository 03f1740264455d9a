package io.github.qcow2nio.bench;

import io.github.qcow2nio.format.CommitOptions;
import io.github.qcow2nio.format.ImageOperations;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The commit row: an overlay holding a quarter of the disk's size in data, committed into a fully
 * allocated base, by {@link ImageOperations#commit} and by {@code qemu-img commit}, both with
 * their defaults (the base made durable, then the overlay emptied).
 *
 * <p>Both images are made by qemu-img and qemu-io, once; each round starts from fresh copies of
 * them, made untimed, since a commit changes both files.
 */
final class CommitRows {
  private static final long MIB = 1 << 20;
  /** One MiB of data in every four: the overlay's data spread over the whole disk. */
  private static final long STRIDE = 4 * MIB;

  private CommitRows() {}

  static List<Row> measure(Settings s, ReferenceImages images) throws Exception {
    Path dir = s.dir();
    Path pristineBase = dir.resolve("commit-base.orig");
    Path pristineOverlay = dir.resolve("commit-overlay.orig");
    Path base = dir.resolve("commit-base.qcow2");
    Path overlay = dir.resolve("commit-overlay.qcow2");
    long overlayBytes = build(s, images, pristineBase, pristineOverlay, base, overlay);

    Timing.Work fresh = () -> {
      copyDurably(pristineBase, base);
      copyDurably(pristineOverlay, overlay);
    };
    long[] t = Timing.alternate(s.rounds(),
        new Timing.Side(fresh, () -> ImageOperations.commit(CommitOptions.of(overlay))),
        new Timing.Side(fresh, () -> Proc.run(List.of("qemu-img", "commit", "-q", "-f", "qcow2",
            overlay.toString()))));
    for (Path p : List.of(pristineBase, pristineOverlay, base, overlay)) {
      Files.deleteIfExists(p);
    }
    return List.of(Row.speed("commit of a " + (overlayBytes / MIB) + " MiB overlay into a "
        + s.scaleMiB() + " MiB allocated base", "qemu-img commit", t[0], t[1], overlayBytes, 1.0));
  }

  /**
   * A copy whose bytes are on disk before the round starts: otherwise the commit's flush of the
   * base would write back the whole copy, and both sides would time the disk instead.
   */
  private static void copyDurably(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel ch = FileChannel.open(to, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /**
   * The base is a copy of the allocated reference image; the overlay names it by the file name
   * the rounds use ({@code commit-base.qcow2}, beside it), and qemu-io writes its data: one MiB
   * of a pattern at the start of every four.
   *
   * @return the bytes of data the overlay holds
   */
  private static long build(Settings s, ReferenceImages images, Path pristineBase,
      Path pristineOverlay, Path base, Path overlay) throws IOException, InterruptedException {
    Files.copy(images.allocated(), pristineBase, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(pristineBase, base, StandardCopyOption.REPLACE_EXISTING);
    Files.deleteIfExists(overlay);
    Proc.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-b", base.getFileName()
        .toString(), "-F", "qcow2", overlay.toString()));
    List<String> writes = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
    long data = 0;
    int pattern = 1;
    for (long off = 0; off + MIB <= s.bigBytes(); off += STRIDE) {
      writes.add("-c");
      writes.add("write -q -P " + (pattern++ % 255 + 1) + " " + off + " " + MIB);
      data += MIB;
    }
    writes.add(overlay.toString());
    Proc.run(writes);
    Files.copy(overlay, pristineOverlay, StandardCopyOption.REPLACE_EXISTING);
    return data;
  }
}
