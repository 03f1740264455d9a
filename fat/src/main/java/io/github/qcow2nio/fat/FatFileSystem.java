package io.github.qcow2nio.fat;

import io.github.qcow2nio.fat.volume.Device;
import io.github.qcow2nio.fat.volume.FatVolume;
import io.github.qcow2nio.fat.volume.Node;
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
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A FAT volume held in a file of any provider. Closing it closes its channels and streams,
 * writes back the FAT copies and FSInfo, and closes the file.
 */
public final class FatFileSystem extends FileSystem {
  private final FatFileSystemProvider provider;
  private final Path file;
  private final URI fileUri;
  private final Device device;
  private final FatVolume volume;
  private final boolean readOnly;
  private final FatFileStore store;
  private final Set<Closeable> resources = Collections.newSetFromMap(new IdentityHashMap<>());
  private volatile boolean closed;

  FatFileSystem(FatFileSystemProvider provider, Path file, URI fileUri, Device device,
      FatVolume volume, boolean readOnly) {
    this.provider = provider;
    this.file = file;
    this.fileUri = fileUri;
    this.device = device;
    this.volume = volume;
    this.readOnly = readOnly;
    this.store = new FatFileStore(this);
  }

  @Override
  public FatFileSystemProvider provider() {
    return provider;
  }

  Path filePath() {
    return file;
  }

  URI fileUri() {
    return fileUri;
  }

  FatVolume volume() {
    checkOpen();
    return volume;
  }

  FatFileStore store() {
    return store;
  }

  void checkOpen() {
    if (closed) {
      throw new ClosedFileSystemException();
    }
  }

  void register(Closeable c) {
    synchronized (resources) {
      checkOpen();
      resources.add(c);
    }
  }

  void unregister(Closeable c) {
    synchronized (resources) {
      resources.remove(c);
    }
  }

  FatPath root() {
    return new FatPath(this, true, new String[0]);
  }

  /** The names of {@code p} from the root, with "." and ".." worked out. */
  static String[] names(FatPath p) {
    return p.toAbsolutePath().normalize().names();
  }

  /** {@code p} with each name spelt as the volume stores it. */
  FatPath realPath(FatPath p) throws IOException {
    String[] names = names(p);
    String[] real = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      Node n = volume().lookup(java.util.Arrays.copyOf(names, i + 1));
      real[i] = n.name();
    }
    return new FatPath(this, true, real);
  }

  @Override
  public void close() throws IOException {
    List<Closeable> open;
    synchronized (resources) {
      if (closed) {
        return;
      }
      open = new ArrayList<>(resources);
    }
    IOException failure = null;
    for (Closeable c : open) {
      try {
        c.close();
      } catch (IOException e) {
        failure = failure == null ? e : failure;
      }
    }
    synchronized (resources) {
      closed = true;
    }
    try {
      volume.flush();
    } catch (IOException e) {
      failure = failure == null ? e : failure;
    } finally {
      provider.removeFileSystem(this);
      device.close();
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
    return readOnly;
  }

  @Override
  public String getSeparator() {
    return "/";
  }

  @Override
  public Iterable<Path> getRootDirectories() {
    return List.of(root());
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    return List.of(store);
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return Set.of("basic", "dos");
  }

  @Override
  public FatPath getPath(String first, String... more) {
    StringBuilder b = new StringBuilder(first);
    for (String m : more) {
      if (!m.isEmpty()) {
        if (b.length() > 0) {
          b.append('/');
        }
        b.append(m);
      }
    }
    return FatPath.parse(this, b.toString());
  }

  /** Glob and regex matchers; glob matching, like lookup, ignores case as FAT does. */
  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    int colon = syntaxAndPattern.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("syntax:pattern expected: " + syntaxAndPattern);
    }
    String syntax = syntaxAndPattern.substring(0, colon);
    String pattern = syntaxAndPattern.substring(colon + 1);
    Pattern re;
    if (syntax.equalsIgnoreCase("glob")) {
      re = Pattern.compile(Globs.toRegex(pattern),
          Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    } else if (syntax.equalsIgnoreCase("regex")) {
      re = Pattern.compile(pattern);
    } else {
      throw new UnsupportedOperationException("path matcher syntax " + syntax);
    }
    return path -> re.matcher(path.toString()).matches();
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    throw new UnsupportedOperationException("FAT has no owners");
  }

  @Override
  public WatchService newWatchService() {
    throw new UnsupportedOperationException("a FAT file system cannot be watched");
  }

  @Override
  public String toString() {
    return FatUris.fileSystemUri(fileUri).toString();
  }
}
