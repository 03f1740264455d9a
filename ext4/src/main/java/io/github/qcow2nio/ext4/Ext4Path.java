package io.github.qcow2nio.ext4;

import io.github.qcow2nio.nio.AbstractPath;
import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.List;

/**
 * A path in an ext4 file system: Unix syntax, "/" the root. "." and ".." stay until {@link
 * #normalize} (or resolution against the disk, where ".." follows the directories actually
 * entered, which is why {@link #toRealPath} asks the file system rather than the names).
 */
public final class Ext4Path extends AbstractPath<Ext4Path> {
  private final Ext4FileSystem fs;

  Ext4Path(Ext4FileSystem fs, boolean absolute, String[] names) {
    super(absolute, names);
    this.fs = fs;
  }

  static Ext4Path parse(Ext4FileSystem fs, String path) {
    return new Ext4Path(fs, path.startsWith("/"), parseNames(path));
  }

  List<String> nameList() {
    return Arrays.asList(nameArray());
  }

  @Override
  protected Ext4Path newPath(boolean absolute, String[] names) {
    return new Ext4Path(fs, absolute, names);
  }

  @Override
  protected Ext4Path root() {
    return fs.root();
  }

  @Override
  protected ProviderMismatchException mismatch(Path other) {
    return new ProviderMismatchException("not a path of this ext4 file system: " + other);
  }

  @Override
  public Ext4FileSystem getFileSystem() {
    return fs;
  }

  @Override
  public URI toUri() {
    return Ext4Uris.FORM.pathUri(fs.deviceUri(), uriPath());
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
}
