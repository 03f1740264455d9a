package io.github.qcow2nio.partition;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/** Both views of a node, "basic" and "partition". Times are the disk file's. */
final class PartitionAttributeView implements PartitionFileAttributeView {
  private static final FileTime EPOCH = FileTime.fromMillis(0);

  private final PartitionPath path;
  private final String name;

  PartitionAttributeView(PartitionPath path, String name) {
    this.path = path;
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PartitionFileAttributes readAttributes() throws IOException {
    PartitionFileSystem fs = path.getFileSystem();
    PartitionFileSystem.Node node = fs.node(path);
    FileTime modified = EPOCH;
    FileTime accessed = EPOCH;
    FileTime created = EPOCH;
    try {
      BasicFileAttributes host = Files.readAttributes(fs.diskPath(), BasicFileAttributes.class);
      modified = host.lastModifiedTime();
      accessed = host.lastAccessTime();
      created = host.creationTime();
    } catch (IOException | UnsupportedOperationException ignored) {
      // A disk file that can no longer be queried still has its partitions; times are unknown.
    }
    return new PartitionFileAttributes(fs.table(), node.partition(), modified, accessed, created);
  }

  /** Sets the disk file's times: they are the times of every node. */
  @Override
  public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime)
      throws IOException {
    PartitionFileSystem fs = path.getFileSystem();
    fs.node(path);
    if (fs.isReadOnly()) {
      throw new ReadOnlyFileSystemException();
    }
    Files.getFileAttributeView(fs.diskPath(), BasicFileAttributeView.class)
        .setTimes(lastModifiedTime, lastAccessTime, createTime);
  }

  /** {@code Files.readAttributes(path, "view:names")}: "basic" or "partition", "*" for all. */
  static Map<String, Object> readByName(PartitionPath path, String attributes)
      throws IOException {
    int colon = attributes.indexOf(':');
    String view = colon < 0 ? "basic" : attributes.substring(0, colon);
    boolean all = checkView(view);
    return new PartitionAttributeView(path, view).readAttributes()
        .toMap(all, attributes.substring(colon + 1));
  }

  /** {@code Files.setAttribute}: only the basic times can be set, on the disk file. */
  static void setByName(PartitionPath path, String attribute, Object value) throws IOException {
    int colon = attribute.indexOf(':');
    String view = colon < 0 ? "basic" : attribute.substring(0, colon);
    checkView(view);
    PartitionAttributeView v = new PartitionAttributeView(path, view);
    switch (attribute.substring(colon + 1)) {
      case "lastModifiedTime" -> v.setTimes((FileTime) value, null, null);
      case "lastAccessTime" -> v.setTimes(null, (FileTime) value, null);
      case "creationTime" -> v.setTimes(null, null, (FileTime) value);
      default -> throw new IllegalArgumentException("attribute '" + attribute
          + "' cannot be set; the table is read-only here, only the basic times can be set");
    }
  }

  private static boolean checkView(String view) {
    return switch (view) {
      case "basic" -> false;
      case NAME -> true;
      default -> throw new UnsupportedOperationException("attribute view '" + view
          + "'; a partition file system has basic and partition");
    };
  }
}
