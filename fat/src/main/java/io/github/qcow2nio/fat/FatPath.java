package io.github.qcow2nio.fat;

import io.github.qcow2nio.nio.AbstractPath;
import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/**
 * A path in a FAT file system: a Unix-like string path, absolute when it starts with "/". Paths
 * compare by their exact characters, as strings do; the volume finds names regardless of case
 * ({@link java.nio.file.Files#isSameFile} and {@link #toRealPath} see through case).
 */
public final class FatPath extends AbstractPath<FatPath> {
  private final FatFileSystem fs;

  FatPath(FatFileSystem fs, boolean absolute, String[] names) {
    super(absolute, names);
    this.fs = fs;
  }

  /** Parses a path string; empty names (from "//" or a trailing "/") vanish, as on Unix. */
  static FatPath parse(FatFileSystem fs, String path) {
    return new FatPath(fs, path.startsWith("/"), parseNames(path));
  }

  String[] names() {
    return nameArray();
  }

  @Override
  protected FatPath newPath(boolean absolute, String[] names) {
    return new FatPath(fs, absolute, names);
  }

  @Override
  protected FatPath root() {
    return fs.root();
  }

  @Override
  protected ProviderMismatchException mismatch(Path other) {
    return new ProviderMismatchException(
        "not a path of the FAT file system on " + fs.filePath() + ": " + other);
  }

  @Override
  public FatFileSystem getFileSystem() {
    return fs;
  }

  @Override
  public URI toUri() {
    return FatUris.FORM.pathUri(fs.fileUri(), uriPath());
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
}
