package io.github.qcow2nio.partition;

import io.github.qcow2nio.nio.NestedUri;

/**
 * The URI forms of the contract: {@code partition:<disk-uri>} names a file system and
 * {@code partition:<disk-uri>!/1} a path in it, cut at the last "!/" (a disk URI may hold "!/"
 * itself: a qcow2 image's {@code /disk}, a file in a zip).
 */
final class PartitionUris {
  static final String SCHEME = "partition";

  static final NestedUri FORM = new NestedUri(SCHEME, "disk",
      "a partition path URI has the form partition:<disk-uri>!/1",
      "a partition URI is 'partition:' followed by the disk file's URI, such as "
          + "partition:file:///images/disk.raw",
      false);

  private PartitionUris() {}
}
