package io.github.qcow2nio.partition;

import io.github.qcow2nio.nio.NestedFileSystem;
import io.github.qcow2nio.partition.table.DiskAccess;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The partitions of one disk file: "/" and a file "/N" per partition. The table is read once,
 * when the file system opens; closing it closes every channel opened on it, then the disk file.
 */
public final class PartitionFileSystem extends NestedFileSystem<PartitionPath> {
  private final Path diskPath;
  private final DiskAccess disk;
  private final PartitionTable table;
  private final PartitionFileStore store;

  /** A file or directory: the root (no partition) or one partition. */
  record Node(Partition partition) {
    static final Node ROOT = new Node(null);

    boolean isDirectory() {
      return partition == null;
    }
  }

  PartitionFileSystem(PartitionFileSystemProvider provider, Path diskPath, Object key,
      DiskAccess disk, PartitionTable table, boolean readOnly) {
    super(provider, diskPath.toUri(), key, readOnly);
    this.diskPath = diskPath;
    this.disk = disk;
    this.table = table;
    this.store = new PartitionFileStore(this);
  }

  @Override
  public PartitionFileSystemProvider provider() {
    return (PartitionFileSystemProvider) super.provider();
  }

  /** The table this file system shows: which copy of a GPT was used, and what was wrong. */
  public PartitionTable table() {
    return table;
  }

  /** The disk file, on its own provider. */
  public Path diskPath() {
    return diskPath;
  }

  DiskAccess disk() {
    return disk;
  }

  @Override
  protected PartitionPath newPath(boolean absolute, String[] names) {
    return new PartitionPath(this, absolute, names);
  }

  @Override
  protected PartitionFileStore store() {
    return store;
  }

  /** The disk file's channel is forced (when writable) and closed. */
  @Override
  protected List<Release> releases() {
    return isReadOnly() ? List.of(disk::close) : List.of(() -> disk.force(true), disk::close);
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return Set.of("basic", PartitionFileAttributeView.NAME);
  }

  // ---- the tree

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
}
