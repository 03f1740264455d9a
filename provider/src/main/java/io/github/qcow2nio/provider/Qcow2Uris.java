package io.github.qcow2nio.provider;

import io.github.qcow2nio.nio.NestedUri;

/**
 * The URI forms of the contract: {@code qcow2:<image-uri>} names a file system and
 * {@code qcow2:<image-uri>!/disk} a path in it. The contract cuts at the first "!/"; image URIs
 * that contain "!/" themselves (an image in a zip file or in another qcow2 disk) need a later cut,
 * so every cut is offered ({@link NestedUri#cuts}) and the caller keeps the first that names an
 * open file system.
 */
final class Qcow2Uris {
  static final String SCHEME = "qcow2";

  static final NestedUri FORM = new NestedUri(SCHEME, "image",
      "a qcow2 path URI has the form qcow2:<image-uri>!/disk",
      "a qcow2 URI is 'qcow2:' followed by the image's URI, such as "
          + "qcow2:file:///images/vm.qcow2",
      false);

  private Qcow2Uris() {}
}
