package io.github.qcow2nio.partition;

import java.io.IOException;
import java.nio.file.attribute.BasicFileAttributeView;

/**
 * The "partition" view: the basic attributes plus what the table says about a partition. Read
 * by name with {@code Files.readAttributes(path, "partition:*")}; see
 * {@link PartitionFileAttributes#toMap} for the names.
 */
public interface PartitionFileAttributeView extends BasicFileAttributeView {
  String NAME = "partition";

  @Override
  PartitionFileAttributes readAttributes() throws IOException;
}
