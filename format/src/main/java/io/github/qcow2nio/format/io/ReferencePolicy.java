package io.github.qcow2nio.format.io;

import io.github.qcow2nio.format.error.ReferenceRefusedException;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which files named inside an image (backing files, external data files) may be opened.
 *
 * <p>An image's header is written by whoever made the image. Following its names is right for
 * images one made oneself, and wrong for an upload: an image naming {@code /etc/passwd} as its
 * backing file would read that file into the guest disk. {@link #follow()} is the default for
 * trusted local use; {@link #none()} opens no named file at all; {@link #confinedTo(Path)} opens
 * only relative names that stay inside one directory, symbolic links resolved, and never guesses
 * a backing file's format from its bytes (a raw file holding a qcow2 header would otherwise be
 * read as qcow2 and its own names followed).
 */
public final class ReferencePolicy {

  /** The three policies, by the names the env key {@code backingPolicy} takes. */
  public enum Mode {
    FOLLOW("follow"), NONE("none"), CONFINED("confined");

    private final String key;

    Mode(String key) {
      this.key = key;
    }

    /** The value of env key {@code backingPolicy} for this mode. */
    public String key() {
      return key;
    }
  }

  private static final ReferencePolicy FOLLOW = new ReferencePolicy(Mode.FOLLOW, null);
  private static final ReferencePolicy NONE = new ReferencePolicy(Mode.NONE, null);

  private final Mode mode;
  private final Path confineTo;

  private ReferencePolicy(Mode mode, Path confineTo) {
    this.mode = mode;
    this.confineTo = confineTo;
  }

  /** Follow every name as QEMU does, probing formats that are not named. */
  public static ReferencePolicy follow() {
    return FOLLOW;
  }

  /** Open no file an image names: an image with a backing or data file is refused. */
  public static ReferencePolicy none() {
    return NONE;
  }

  /**
   * Open only files inside {@code directory}: relative names without {@code ..}, whose real
   * path (links resolved) lies inside the directory's real path; backing files must have their
   * format named in the image.
   */
  public static ReferencePolicy confinedTo(Path directory) {
    return new ReferencePolicy(Mode.CONFINED, Objects.requireNonNull(directory, "directory"));
  }

  public Mode mode() {
    return mode;
  }

  /** The directory of a confined policy. */
  public Optional<Path> confineTo() {
    return Optional.ofNullable(confineTo);
  }

  /** Whether a backing file whose format the image does not name may be probed. */
  public boolean probesFormats() {
    return mode == Mode.FOLLOW;
  }

  /**
   * The location of {@code name}, a file of kind {@code what} ("backing file", "data file")
   * named by the image at {@code image}, if this policy lets it be opened.
   *
   * @throws ReferenceRefusedException when the policy refuses the name
   */
  public ImageLocation resolve(ImageLocation image, String name, String what) throws IOException {
    switch (mode) {
      case FOLLOW:
        return image.resolve(name);
      case NONE:
        throw refused(image, name, what, "no named file is opened");
      default:
        return confined(image, name, what);
    }
  }

  private ImageLocation confined(ImageLocation image, String name, String what)
      throws IOException {
    if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
      throw refused(image, name, what, "absolute names are not followed");
    }
    for (String segment : name.split("[/\\\\]")) {
      if (segment.equals("..")) {
        throw refused(image, name, what, "names with '..' are not followed");
      }
    }
    ImageLocation resolved = image.resolve(name);
    if (!(resolved instanceof PathLocation at)) {
      throw refused(image, name, what, "the image's storage has no paths to confine");
    }
    Path file = at.path();
    Path root = confineTo;
    if (!file.getFileSystem().equals(root.getFileSystem())) {
      throw refused(image, name, what, "it is on another file system than " + root);
    }
    Path realRoot;
    try {
      realRoot = root.toRealPath();
    } catch (NoSuchFileException e) {
      throw refused(image, name, what, "the directory " + root + " does not exist");
    }
    try {
      Path lexical = file.toAbsolutePath().normalize();
      if (!lexical.startsWith(root.toAbsolutePath().normalize()) && !lexical.startsWith(realRoot)) {
        throw refused(image, name, what, "it lies outside " + root);
      }
      Path real;
      try {
        real = file.toRealPath();
      } catch (NoSuchFileException e) {
        // Nothing to follow yet: opening it fails with the file system's own error.
        return resolved;
      }
      if (!real.startsWith(realRoot)) {
        throw refused(image, name, what, "a link leads outside " + root + " (to " + real + ")");
      }
      return resolved;
    } catch (InvalidPathException e) {
      throw refused(image, name, what, "it is not a valid path here");
    }
  }

  private ReferenceRefusedException refused(ImageLocation image, String name, String what,
      String why) {
    return new ReferenceRefusedException(image.displayName() + ": " + what + " '" + name
        + "' refused by backingPolicy=" + mode.key()
        + (confineTo != null ? " (confineTo=" + confineTo + ")" : "") + ": " + why);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReferencePolicy p && p.mode == mode && Objects.equals(p.confineTo,
        confineTo);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, confineTo);
  }

  @Override
  public String toString() {
    return "backingPolicy=" + mode.key() + (confineTo != null ? ", confineTo=" + confineTo : "");
  }
}
