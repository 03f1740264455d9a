package io.github.qcow2nio.partition;

import io.github.qcow2nio.nio.OpenResources;
import io.github.qcow2nio.nio.PathMatchers;
import io.github.qcow2nio.partition.table.DiskAccess;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The partitions of one disk file: "/" and a file "/N" per partition. The table is read once,
 * when the file system opens; closing it closes every channel opened on it, then the disk file.
 */
public final class PartitionFileSystem extends FileSystem {
  private final PartitionFileSystemProvider provider;
  private final Path diskPath;
  private final Object key;
  private final URI diskUri;
  private final DiskAccess disk;
  private final PartitionTable table;
  private final boolean readOnly;
  private final PartitionPath root;
  private final PartitionFileStore store;
  private final OpenResources resources = new OpenResources();

  /** A file or directory: the root (no partition) or one partition. */
  record Node(Partition partition) {
    static final Node ROOT = new Node(null);

    boolean isDirectory() {
      return partition == null;
    }
  }

  PartitionFileSystem(PartitionFileSystemProvider provider, Path diskPath, Object key,
      DiskAccess disk, PartitionTable table, boolean readOnly) {
    this.provider = provider;
    this.diskPath = diskPath;
    this.key = key;
    this.diskUri = diskPath.toUri();
    this.disk = disk;
    this.table = table;
    this.readOnly = readOnly;
    this.root = new PartitionPath(this, true, new String[0]);
    this.store = new PartitionFileStore(this);
  }

  @Override
  public PartitionFileSystemProvider provider() {
    return provider;
  }

  /** The table this file system shows: which copy of a GPT was used, and what was wrong. */
  public PartitionTable table() {
    return table;
  }

  /** The disk file, on its own provider. */
  public Path diskPath() {
    return diskPath;
  }

  URI diskUri() {
    return diskUri;
  }

  Object key() {
    return key;
  }

  DiskAccess disk() {
    return disk;
  }

  PartitionPath root() {
    return root;
  }

  PartitionFileStore store() {
    return store;
  }

  @Override
  public void close() throws IOException {
    if (!resources.markClosed()) {
      return;
    }
    IOException failure = null;
    try {
      failure = resources.closeAll(null);
      try {
        if (!readOnly) {
          disk.force(true);
        }
      } catch (IOException e) {
        failure = add(failure, e);
      }
      try {
        disk.close();
      } catch (IOException e) {
        failure = add(failure, e);
      }
    } finally {
      provider.removeFileSystem(this);
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static IOException add(IOException first, IOException next) {
    return OpenResources.add(first, next);
  }

  @Override
  public boolean isOpen() {
    return resources.isOpen();
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
    checkOpen();
    return List.of(root);
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    checkOpen();
    return List.of(store);
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return Set.of("basic", PartitionFileAttributeView.NAME);
  }

  @Override
  public Path getPath(String first, String... more) {
    return path(first, more);
  }

  PartitionPath path(String first, String... more) {
    StringBuilder sb = new StringBuilder(first);
    for (String m : more) {
      if (!m.isEmpty()) {
        if (sb.length() > 0) {
          sb.append('/');
        }
        sb.append(m);
      }
    }
    return PartitionPath.parse(this, sb.toString());
  }

  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    return PathMatchers.of(syntaxAndPattern, 0);
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    throw new UnsupportedOperationException("a partition file system has no users");
  }

  @Override
  public WatchService newWatchService() {
    throw new UnsupportedOperationException("a partition file system cannot be watched");
  }

  @Override
  public String toString() {
    return PartitionUris.FORM.fileSystemUri(diskUri).toString();
  }

  // ---- the tree

  void checkOpen() {
    resources.checkOpen();
  }

  /** The node at {@code path}: "/" or "/N" for a partition numbered N. */
  Optional<Node> lookup(PartitionPath path) {
    checkOpen();
    String[] n = path.toAbsolutePath().normalize().names();
    if (n.length == 0) {
      return Optional.of(Node.ROOT);
    }
    if (n.length == 1 && n[0].matches("[1-9][0-9]{0,5}")) {
      return table.partition(Integer.parseInt(n[0])).map(Node::new);
    }
    return Optional.empty();
  }

  Node node(PartitionPath path) throws NoSuchFileException {
    return lookup(path).orElseThrow(() -> new NoSuchFileException(path.toString()));
  }

  /** The names in "/", by partition number. */
  List<String> names() {
    List<String> out = new ArrayList<>();
    for (Partition p : table.partitions()) {
      out.add(Integer.toString(p.number()));
    }
    return out;
  }

  // ---- open channels and streams

  void register(Closeable c) {
    resources.register(c);
  }

  void unregister(Closeable c) {
    resources.unregister(c);
  }
}
