package io.github.qcow2nio.fat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A path in a FAT file system: a Unix-like string path, absolute when it starts with "/". Kept
 * as its names so that every operation is a list operation; the string form is derived. Paths
 * compare by their exact characters, as strings do; the volume finds names regardless of case
 * ({@link java.nio.file.Files#isSameFile} and {@link #toRealPath} see through case).
 */
public final class FatPath implements Path {
  private final FatFileSystem fs;
  private final boolean absolute;
  private final String[] names;
  private final String string;

  FatPath(FatFileSystem fs, boolean absolute, String[] names) {
    this.fs = fs;
    this.absolute = absolute;
    this.names = names;
    this.string = (absolute ? "/" : "") + String.join("/", names);
  }

  /** Parses a path string; empty names (from "//" or a trailing "/") vanish, as on Unix. */
  static FatPath parse(FatFileSystem fs, String path) {
    if (path.indexOf('\0') >= 0) {
      throw new java.nio.file.InvalidPathException(path, "NUL character not allowed");
    }
    List<String> list = new ArrayList<>();
    for (String n : path.split("/")) {
      if (!n.isEmpty()) {
        list.add(n);
      }
    }
    return new FatPath(fs, path.startsWith("/"), list.toArray(String[]::new));
  }

  String[] names() {
    return names;
  }

  @Override
  public FatFileSystem getFileSystem() {
    return fs;
  }

  @Override
  public boolean isAbsolute() {
    return absolute;
  }

  @Override
  public FatPath getRoot() {
    return absolute ? new FatPath(fs, true, new String[0]) : null;
  }

  @Override
  public FatPath getFileName() {
    if (names.length == 0) {
      return absolute ? null : this;
    }
    return new FatPath(fs, false, new String[] {names[names.length - 1]});
  }

  @Override
  public FatPath getParent() {
    if (names.length == 0 || (names.length == 1 && !absolute)) {
      return null;
    }
    return new FatPath(fs, absolute, Arrays.copyOf(names, names.length - 1));
  }

  @Override
  public int getNameCount() {
    return names.length;
  }

  @Override
  public FatPath getName(int index) {
    if (index < 0 || index >= names.length) {
      throw new IllegalArgumentException("name index " + index + " of " + names.length);
    }
    return new FatPath(fs, false, new String[] {names[index]});
  }

  @Override
  public FatPath subpath(int beginIndex, int endIndex) {
    if (beginIndex < 0 || endIndex > names.length || beginIndex >= endIndex) {
      throw new IllegalArgumentException(
          "subpath(" + beginIndex + ", " + endIndex + ") of " + names.length + " names");
    }
    return new FatPath(fs, false, Arrays.copyOfRange(names, beginIndex, endIndex));
  }

  @Override
  public boolean startsWith(Path other) {
    if (!(other instanceof FatPath o) || o.fs != fs || o.absolute != absolute
        || o.names.length > names.length) {
      return false;
    }
    if (o.names.length == 0 && !o.absolute) {
      return names.length == 0 && !absolute;
    }
    for (int i = 0; i < o.names.length; i++) {
      if (!o.names[i].equals(names[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean endsWith(Path other) {
    if (!(other instanceof FatPath o) || o.fs != fs || o.names.length > names.length) {
      return false;
    }
    if (o.absolute) {
      return equals(o);
    }
    if (o.names.length == 0) {
      return names.length == 0 && !absolute;
    }
    int off = names.length - o.names.length;
    for (int i = 0; i < o.names.length; i++) {
      if (!o.names[i].equals(names[off + i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public FatPath normalize() {
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
    return new FatPath(fs, absolute, out.toArray(String[]::new));
  }

  @Override
  public FatPath resolve(Path other) {
    FatPath o = check(other);
    if (o.absolute) {
      return o;
    }
    if (o.names.length == 0) {
      return this;
    }
    String[] joined = Arrays.copyOf(names, names.length + o.names.length);
    System.arraycopy(o.names, 0, joined, names.length, o.names.length);
    return new FatPath(fs, absolute, joined);
  }

  @Override
  public FatPath resolve(String other) {
    return resolve(parse(fs, other));
  }

  @Override
  public FatPath relativize(Path other) {
    FatPath o = check(other);
    if (o.absolute != absolute) {
      throw new IllegalArgumentException("'" + other + "' and '" + this
          + "' are not both absolute or both relative");
    }
    int common = 0;
    while (common < names.length && common < o.names.length
        && names[common].equals(o.names[common])) {
      common++;
    }
    List<String> out = new ArrayList<>();
    for (int i = common; i < names.length; i++) {
      out.add("..");
    }
    out.addAll(Arrays.asList(o.names).subList(common, o.names.length));
    return new FatPath(fs, false, out.toArray(String[]::new));
  }

  @Override
  public URI toUri() {
    return FatUris.pathUri(fs.fileUri(), toAbsolutePath().normalize().toString());
  }

  @Override
  public FatPath toAbsolutePath() {
    return absolute ? this : fs.root().resolve(this);
  }

  @Override
  public FatPath toRealPath(LinkOption... options) throws IOException {
    return fs.realPath(toAbsolutePath().normalize());
  }

  @Override
  public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events,
      WatchEvent.Modifier... modifiers) {
    throw new UnsupportedOperationException("a FAT file system cannot be watched");
  }

  @Override
  public int compareTo(Path other) {
    return string.compareTo(((FatPath) other).string);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FatPath p && p.fs == fs && p.string.equals(string);
  }

  @Override
  public int hashCode() {
    return Objects.hash(System.identityHashCode(fs), string);
  }

  @Override
  public String toString() {
    return string;
  }

  private FatPath check(Path other) {
    Objects.requireNonNull(other, "other");
    if (!(other instanceof FatPath o) || o.fs != fs) {
      throw new ProviderMismatchException(
          "not a path of the FAT file system on " + fs.filePath() + ": " + other);
    }
    return o;
  }
}
