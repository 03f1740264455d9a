package io.github.qcow2nio.ext4;

import java.io.IOException;
import java.net.URI;
import java.nio.file.InvalidPathException;
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
 * A path in an ext4 file system: Unix syntax, "/" the root. Held as its names, so the path
 * operations are list operations; "." and ".." stay until {@link #normalize} (or resolution
 * against the disk, where ".." follows the directories actually entered).
 */
public final class Ext4Path implements Path {
  private final Ext4FileSystem fs;
  private final boolean absolute;
  private final String[] names;
  private final String string;

  Ext4Path(Ext4FileSystem fs, boolean absolute, String[] names) {
    this.fs = fs;
    this.absolute = absolute;
    this.names = names;
    this.string = (absolute ? "/" : "") + String.join("/", names);
  }

  static Ext4Path parse(Ext4FileSystem fs, String path) {
    if (path.indexOf('\0') >= 0) {
      throw new InvalidPathException(path, "NUL character not allowed");
    }
    List<String> list = new ArrayList<>();
    for (String n : path.split("/")) {
      if (!n.isEmpty()) {
        list.add(n);
      }
    }
    return new Ext4Path(fs, path.startsWith("/"), list.toArray(String[]::new));
  }

  List<String> nameList() {
    return Arrays.asList(names);
  }

  @Override
  public Ext4FileSystem getFileSystem() {
    return fs;
  }

  @Override
  public boolean isAbsolute() {
    return absolute;
  }

  @Override
  public Ext4Path getRoot() {
    return absolute ? fs.root() : null;
  }

  @Override
  public Ext4Path getFileName() {
    if (names.length == 0) {
      return absolute ? null : this;
    }
    return new Ext4Path(fs, false, new String[] {names[names.length - 1]});
  }

  @Override
  public Ext4Path getParent() {
    if (names.length == 0 || (names.length == 1 && !absolute)) {
      return null;
    }
    return new Ext4Path(fs, absolute, Arrays.copyOf(names, names.length - 1));
  }

  @Override
  public int getNameCount() {
    return names.length;
  }

  @Override
  public Ext4Path getName(int index) {
    if (index < 0 || index >= names.length) {
      throw new IllegalArgumentException("name index " + index + " of " + names.length);
    }
    return new Ext4Path(fs, false, new String[] {names[index]});
  }

  @Override
  public Ext4Path subpath(int beginIndex, int endIndex) {
    if (beginIndex < 0 || endIndex > names.length || beginIndex >= endIndex) {
      throw new IllegalArgumentException(
          "subpath(" + beginIndex + ", " + endIndex + ") of " + names.length + " names");
    }
    return new Ext4Path(fs, false, Arrays.copyOfRange(names, beginIndex, endIndex));
  }

  @Override
  public boolean startsWith(Path other) {
    if (!(other instanceof Ext4Path o) || o.fs != fs || o.absolute != absolute
        || o.names.length > names.length) {
      return false;
    }
    if (o.names.length == 0 && !o.absolute) {
      return names.length == 0 && !absolute;
    }
    return Arrays.equals(o.names, Arrays.copyOf(names, o.names.length));
  }

  @Override
  public boolean endsWith(Path other) {
    if (!(other instanceof Ext4Path o) || o.fs != fs || o.names.length > names.length) {
      return false;
    }
    if (o.absolute) {
      return equals(o);
    }
    if (o.names.length == 0) {
      return names.length == 0 && !absolute;
    }
    return Arrays.equals(o.names,
        Arrays.copyOfRange(names, names.length - o.names.length, names.length));
  }

  @Override
  public Ext4Path normalize() {
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
          continue;
        }
      }
      out.add(n);
    }
    return new Ext4Path(fs, absolute, out.toArray(String[]::new));
  }

  @Override
  public Ext4Path resolve(Path other) {
    Ext4Path o = check(other);
    if (o.absolute) {
      return o;
    }
    if (o.names.length == 0) {
      return this;
    }
    String[] joined = Arrays.copyOf(names, names.length + o.names.length);
    System.arraycopy(o.names, 0, joined, names.length, o.names.length);
    return new Ext4Path(fs, absolute, joined);
  }

  @Override
  public Ext4Path resolve(String other) {
    return resolve(parse(fs, other));
  }

  @Override
  public Ext4Path relativize(Path other) {
    Ext4Path o = check(other);
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
    return new Ext4Path(fs, false, out.toArray(String[]::new));
  }

  @Override
  public URI toUri() {
    return Ext4Uris.pathUri(fs.deviceUri(), toAbsolutePath().normalize().toString());
  }

  @Override
  public Ext4Path toAbsolutePath() {
    return absolute ? this : fs.root().resolve(this);
  }

  /** The path with every symlink resolved (unless NOFOLLOW_LINKS), "." and ".." gone. */
  @Override
  public Ext4Path toRealPath(LinkOption... options) throws IOException {
    return fs.realPath(this, Ext4FileSystemProvider.follow(options));
  }

  @Override
  public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events,
      WatchEvent.Modifier... modifiers) {
    throw new UnsupportedOperationException("an ext4 file system here is read-only; nothing "
        + "changes to watch");
  }

  @Override
  public int compareTo(Path other) {
    return string.compareTo(((Ext4Path) other).string);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ext4Path p && p.fs == fs && p.string.equals(string);
  }

  @Override
  public int hashCode() {
    return Objects.hash(System.identityHashCode(fs), string);
  }

  @Override
  public String toString() {
    return string;
  }

  private Ext4Path check(Path other) {
    Objects.requireNonNull(other, "other");
    if (!(other instanceof Ext4Path o) || o.fs != fs) {
      throw new ProviderMismatchException("not a path of this ext4 file system: " + other);
    }
    return o;
  }
}
