package io.github.qcow2nio.nio;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A Unix-like path ("/" separates names, absolute when it starts with "/") held as its names, so
 * that every operation is a list operation and the string form is derived once. Subclasses supply
 * the file system, the instances and the few things that depend on what the file system holds
 * (its URI, its real paths, its watch refusal). Names compare by their exact characters in every
 * provider: a file system whose lookups ignore case (FAT) sees through case in {@code
 * toRealPath} and {@code isSameFile}, not here, as the JDK's own providers do.
 *
 * @param <P> the concrete path type, so that path operations return it
 */
public abstract class AbstractPath<P extends AbstractPath<P>> implements Path {
  private final boolean absolute;
  private final String[] names;
  private final String string;

  /** The names are taken as they are: callers give a fresh array, no empty names. */
  protected AbstractPath(boolean absolute, String[] names) {
    this.absolute = absolute;
    this.names = names;
    this.string = (absolute ? "/" : "") + String.join("/", names);
  }

  /**
   * The names of a path string; empty names (from "//" or a trailing "/") vanish, as on Unix.
   * Whether it is absolute is {@code path.startsWith("/")}.
   */
  protected static String[] parseNames(String path) {
    if (path.indexOf('\0') >= 0) {
      throw new InvalidPathException(path, "NUL character not allowed");
    }
    List<String> list = new ArrayList<>();
    for (String n : path.split("/")) {
      if (!n.isEmpty()) {
        list.add(n);
      }
    }
    return list.toArray(String[]::new);
  }

  /** A path of this file system; the only way operations make paths. */
  protected abstract P newPath(boolean absolute, String[] names);

  /** The root of this path's file system, against which relative paths become absolute. */
  protected abstract P root();

  /** The exception for a path of another file system or provider; its message is the module's. */
  protected abstract ProviderMismatchException mismatch(Path other);

  /** The names themselves, not a copy: subclasses must not change them. */
  protected final String[] nameArray() {
    return names;
  }

  @Override
  public final boolean isAbsolute() {
    return absolute;
  }

  @Override
  public final P getRoot() {
    return absolute ? root() : null;
  }

  @Override
  public final P getFileName() {
    if (names.length == 0) {
      return absolute ? null : self();
    }
    return newPath(false, new String[] {names[names.length - 1]});
  }

  @Override
  public final P getParent() {
    if (names.length == 0 || (names.length == 1 && !absolute)) {
      return null;
    }
    return newPath(absolute, Arrays.copyOf(names, names.length - 1));
  }

  @Override
  public final int getNameCount() {
    return names.length;
  }

  @Override
  public final P getName(int index) {
    if (index < 0 || index >= names.length) {
      throw new IllegalArgumentException("name index " + index + " of " + names.length);
    }
    return newPath(false, new String[] {names[index]});
  }

  @Override
  public final P subpath(int beginIndex, int endIndex) {
    if (beginIndex < 0 || endIndex > names.length || beginIndex >= endIndex) {
      throw new IllegalArgumentException(
          "subpath(" + beginIndex + ", " + endIndex + ") of " + names.length + " names");
    }
    return newPath(false, Arrays.copyOfRange(names, beginIndex, endIndex));
  }

  @Override
  public final boolean startsWith(Path other) {
    P o = sameKind(other);
    if (o == null || o.isAbsolute() != absolute || o.nameArray().length > names.length) {
      return false;
    }
    String[] on = o.nameArray();
    if (on.length == 0 && !o.isAbsolute()) {
      return names.length == 0 && !absolute;
    }
    return Arrays.equals(on, 0, on.length, names, 0, on.length);
  }

  @Override
  public final boolean endsWith(Path other) {
    P o = sameKind(other);
    if (o == null || o.nameArray().length > names.length) {
      return false;
    }
    if (o.isAbsolute()) {
      return equals(o);
    }
    String[] on = o.nameArray();
    if (on.length == 0) {
      return names.length == 0 && !absolute;
    }
    int off = names.length - on.length;
    return Arrays.equals(on, 0, on.length, names, off, names.length);
  }

  @Override
  public final P normalize() {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (n.equals(".")) {
        continue;
      }
      if (n.equals("..")) {
        if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
          out.remove(out.size() - 1);
          continue;
        }
        if (absolute) {
          continue; // "/.." is "/"
        }
      }
      out.add(n);
    }
    return newPath(absolute, out.toArray(String[]::new));
  }

  @Override
  public final P resolve(Path other) {
    P o = check(other);
    if (o.isAbsolute()) {
      return o;
    }
    String[] on = o.nameArray();
    if (on.length == 0) {
      return self();
    }
    String[] joined = Arrays.copyOf(names, names.length + on.length);
    System.arraycopy(on, 0, joined, names.length, on.length);
    return newPath(absolute, joined);
  }

  @Override
  public final P resolve(String other) {
    return resolve(newPath(other.startsWith("/"), parseNames(other)));
  }

  @Override
  public final P relativize(Path other) {
    P o = check(other);
    if (o.isAbsolute() != absolute) {
      throw new IllegalArgumentException("'" + other + "' and '" + this
          + "' are not both absolute or both relative");
    }
    String[] on = o.nameArray();
    int common = 0;
    while (common < names.length && common < on.length && names[common].equals(on[common])) {
      common++;
    }
    List<String> out = new ArrayList<>();
    for (int i = common; i < names.length; i++) {
      out.add("..");
    }
    out.addAll(Arrays.asList(on).subList(common, on.length));
    return newPath(false, out.toArray(String[]::new));
  }

  @Override
  public final P toAbsolutePath() {
    return absolute ? self() : root().resolve(this);
  }

  /** The absolute, normalized string form that a path URI carries. */
  protected final String uriPath() {
    return toAbsolutePath().normalize().toString();
  }

  @Override
  public abstract URI toUri();

  @Override
  public final int compareTo(Path other) {
    return string.compareTo(getClass().cast(other).toString());
  }

  @Override
  public final boolean equals(Object o) {
    return o != null && o.getClass() == getClass()
        && ((Path) o).getFileSystem() == getFileSystem() && o.toString().equals(string);
  }

  @Override
  public final int hashCode() {
    return Objects.hash(System.identityHashCode(getFileSystem()), string);
  }

  @Override
  public final String toString() {
    return string;
  }

  /** {@code other} as a path of this file system, or null. */
  private P sameKind(Path other) {
    if (other == null || other.getClass() != getClass()
        || other.getFileSystem() != getFileSystem()) {
      return null;
    }
    @SuppressWarnings("unchecked")
    P o = (P) other;
    return o;
  }

  private P check(Path other) {
    Objects.requireNonNull(other, "other");
    P o = sameKind(other);
    if (o == null) {
      throw mismatch(other);
    }
    return o;
  }

  @SuppressWarnings("unchecked")
  private P self() {
    return (P) this;
  }
}
