package io.github.qcow2nio.ext4;

import io.github.qcow2nio.nio.NestedUri;

/**
 * The URI forms of the contract: {@code ext4:<device-uri>} names a file system and
 * {@code ext4:<device-uri>!/path} a path in it, cut at the last "!/" because the device's own URI
 * may hold one (a qcow2 image's {@code /disk}, a partition, a zip entry).
 */
final class Ext4Uris {
  static final String SCHEME = "ext4";

  static final NestedUri FORM = new NestedUri(SCHEME, "device",
      "an ext4 path URI has the form ext4:<device-uri>!/path",
      "an ext4 URI is 'ext4:' followed by the URI of the file holding the file system, such as "
          + "ext4:file:///images/root.img",
      false);

  private Ext4Uris() {}
}
