package io.github.qcow2nio.ext4;

import io.github.qcow2nio.ext4.disk.Inode;
import io.github.qcow2nio.ext4.disk.Superblock;
import io.github.qcow2nio.ext4.read.Resolver;
import io.github.qcow2nio.ext4.read.Volume;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * One ext2/3/4 file system, read-only, over the file that holds it. Closing it closes every
 * channel and stream opened on it and the channel to that file.
 */
public final class Ext4FileSystem extends FileSystem {
  private final Ext4FileSystemProvider provider;
  private final URI deviceUri;
  private final Volume volume;
  private final Resolver resolver;
  private final Ext4Path root;
  private final Ext4FileStore store;
  private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  Ext4FileSystem(Ext4FileSystemProvider provider, URI deviceUri, Volume volume) {
    this.provider = provider;
    this.deviceUri = deviceUri;
    this.volume = volume;
    this.resolver = new Resolver(volume);
    this.root = new Ext4Path(this, true, new String[0]);
    this.store = new Ext4FileStore(this);
  }

  @Override
  public Ext4FileSystemProvider provider() {
    return provider;
  }

  /** The URI of the file the file system is read from. */
  public URI deviceUri() {
    return deviceUri;
  }

  /**
   * Whether the journal holds transactions not yet replayed into the file system (the
   * needs_recovery feature): the files read as the file system stands, without them.
   */
  public boolean needsRecovery() {
    return volume.superblock().features().needsRecovery();
  }

  Volume volume() {
    return volume;
  }

  Superblock superblock() {
    return volume.superblock();
  }

  Ext4Path root() {
    return root;
  }

  /** The inode {@code path} names, following a final symlink when {@code follow}. */
  Inode inode(Ext4Path path, boolean follow) throws IOException {
    return resolved(path, follow).inode();
  }

  Resolver.Resolved resolved(Ext4Path path, boolean follow) throws IOException {
    checkOpen();
    return resolver.resolve(path.toAbsolutePath().nameList(), follow, path.toString());
  }

  Ext4Path realPath(Ext4Path path, boolean follow) throws IOException {
    return new Ext4Path(this, true, resolved(path, follow).realNames().toArray(String[]::new));
  }

  Resolver resolver() {
    return resolver;
  }

  void register(Closeable c) {
    open.add(c);
    if (closed) {
      open.remove(c);
      throw new ClosedFileSystemException();
    }
  }

  void unregister(Closeable c) {
    open.remove(c);
  }

  void checkOpen() {
    if (closed) {
      throw new ClosedFileSystemException();
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    IOException failure = null;
    try {
      for (Closeable c : new ArrayList<>(open)) {
        try {
          c.close();
        } catch (IOException e) {
          failure = e;
        }
      }
      volume.close();
    } catch (IOException e) {
      if (failure != null) {
        e.addSuppressed(failure);
      }
      failure = e;
    } finally {
      provider.removeFileSystem(this);
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public boolean isOpen() {
    return !closed;
  }

  @Override
  public boolean isReadOnly() {
    return true;
  }

  @Override
  public String getSeparator() {
    return "/";
  }

  @Override
  public Iterable<Path> getRootDirectories() {
    checkOpen();
    return List.of(root);
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    checkOpen();
    return List.of(store);
  }

  Ext4FileStore store() {
    return store;
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return Set.of("basic", "owner", "posix", Ext4FileAttributeView.NAME, "user");
  }

  @Override
  public Ext4Path getPath(String first, String... more) {
    StringBuilder sb = new StringBuilder(first);
    for (String m : more) {
      if (!m.isEmpty()) {
        if (sb.length() > 0) {
          sb.append('/');
        }
        sb.append(m);
      }
    }
    return Ext4Path.parse(this, sb.toString());
  }

  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    int colon = syntaxAndPattern.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected syntax:pattern, got " + syntaxAndPattern);
    }
    String syntax = syntaxAndPattern.substring(0, colon);
    String pattern = syntaxAndPattern.substring(colon + 1);
    Pattern regex = switch (syntax.toLowerCase(Locale.ROOT)) {
      case "glob" -> Pattern.compile(Globs.toRegex(pattern));
      case "regex" -> Pattern.compile(pattern);
      default -> throw new UnsupportedOperationException("syntax '" + syntax
          + "' is not supported; use glob or regex");
    };
    return path -> regex.matcher(path.toString()).matches();
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    return Principals.LOOKUP;
  }

  @Override
  public WatchService newWatchService() {
    throw new UnsupportedOperationException("an ext4 file system here is read-only; nothing "
        + "changes to watch");
  }

  @Override
  public String toString() {
    return "ext4:" + deviceUri;
  }
}
