package io.github.qcow2nio.fat;

import io.github.qcow2nio.nio.NestedUri;

/**
 * The URI forms of the contract: {@code fat:<file-uri>} names a file system and
 * {@code fat:<file-uri>!/dir/name} a path in it, cut at the last "!/". The file's own URI may
 * hold "!/" (a partition of a qcow2 disk does); a '!' in a FAT name is written %21, so the last
 * "!/" is always the cut.
 */
final class FatUris {
  static final String SCHEME = "fat";

  static final NestedUri FORM = new NestedUri(SCHEME, "file",
      "a FAT path URI has the form fat:<file-uri>!/path",
      "a FAT URI is 'fat:' followed by the volume file's URI, such as "
          + "fat:file:///images/floppy.img",
      true);

  private FatUris() {}
}
