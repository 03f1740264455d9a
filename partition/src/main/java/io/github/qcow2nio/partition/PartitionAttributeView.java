package io.github.qcow2nio.partition;

import io.github.qcow2nio.nio.NamedAttributes;
import io.github.qcow2nio.nio.NamedAttributes.HostTimes;
import io.github.qcow2nio.nio.PathAttributeView;
import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/** Both views of a node, "basic" and "partition". Times are the disk file's. */
final class PartitionAttributeView extends PathAttributeView<PartitionPath>
    implements PartitionFileAttributeView {
  PartitionAttributeView(PartitionPath path, String name) {
    super(path, name);
  }

  @Override
  public PartitionFileAttributes readAttributes() throws IOException {
    PartitionFileSystem fs = path().getFileSystem();
    PartitionFileSystem.Node node = fs.node(path());
    return new PartitionFileAttributes(fs.table(), node.partition(),
        HostTimes.of(fs.diskPath()));
  }

  /** Sets the disk file's times: they are the times of every node. */
  @Override
  public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime)
      throws IOException {
    PartitionFileSystem fs = path().getFileSystem();
    fs.node(path());
    HostTimes.set(fs.diskPath(), fs.isReadOnly(), lastModifiedTime, lastAccessTime, createTime);
  }

  /** {@code Files.readAttributes(path, "view:names")}: "basic" or "partition", "*" for all. */
  static Map<String, Object> readByName(PartitionPath path, String attributes)
      throws IOException {
    NamedAttributes.Request r = NamedAttributes.Request.parse(attributes);
    boolean all = checkView(r.view());
    return new PartitionAttributeView(path, r.view()).readAttributes().toMap(all, r.names());
  }

  /** {@code Files.setAttribute}: only the basic times can be set, on the disk file. */
  static void setByName(PartitionPath path, String attribute, Object value) throws IOException {
    NamedAttributes.Request r = NamedAttributes.Request.parse(attribute);
    checkView(r.view());
    if (!NamedAttributes.setTime(new PartitionAttributeView(path, r.view()), r.names(), value)) {
      throw new IllegalArgumentException("attribute '" + attribute
          + "' cannot be set; the table is read-only here, only the basic times can be set");
    }
  }

  private static boolean checkView(String view) {
    return NamedAttributes.isOwnView(view, NAME, "a partition file system");
  }
}
