package io.github.qcow2nio.provider;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * The URI forms of the contract: {@code qcow2:<image-uri>} names a file system and
 * {@code qcow2:<image-uri>!/disk} a path in it.
 */
final class Qcow2Uris {
  static final String SCHEME = "qcow2";
  private static final String SEPARATOR = "!/";

  private Qcow2Uris() {}

  /** One way to read a qcow2 URI: the image's URI and the path inside its file system. */
  record Split(URI image, String path) {}

  /**
   * The ways to cut {@code uri} into image and path, best first. The contract cuts at the first
   * "!/"; image URIs that contain "!/" themselves (an image in a zip file or in another qcow2 disk)
   * need a later cut, so every cut is offered and the caller keeps the first that names an open
   * file system.
   */
  static List<Split> splits(URI uri) {
    String spec = checkScheme(uri);
    List<Split> out = new ArrayList<>();
    for (int i = spec.indexOf(SEPARATOR); i >= 0; i = spec.indexOf(SEPARATOR, i + 1)) {
      out.add(new Split(imageUri(uri, spec.substring(0, i)), decode(uri, spec.substring(i + 1))));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "a qcow2 path URI has the form qcow2:<image-uri>!/disk; no '!/' in " + uri);
    }
    return out;
  }

  /** The image URI of a file-system URI: everything after "qcow2:", less a trailing "!/". */
  static URI fileSystemImage(URI uri) {
    String spec = checkScheme(uri);
    if (spec.endsWith(SEPARATOR)) {
      spec = spec.substring(0, spec.length() - SEPARATOR.length());
    }
    return imageUri(uri, spec);
  }

  static URI fileSystemUri(URI image) {
    return URI.create(SCHEME + ":" + image.toString());
  }

  static URI pathUri(URI image, String absolutePath) {
    try {
      String encoded = new URI(null, null, absolutePath, null).getRawPath();
      return URI.create(SCHEME + ":" + image.toString() + "!" + encoded);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot encode path " + absolutePath, e);
    }
  }

  private static String checkScheme(URI uri) {
    if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("URI scheme is not '" + SCHEME + "': " + uri);
    }
    if (!uri.isOpaque()) {
      throw new IllegalArgumentException(
          "a qcow2 URI is 'qcow2:' followed by the image's URI, such as "
              + "qcow2:file:///images/vm.qcow2; got " + uri);
    }
    return uri.getRawSchemeSpecificPart();
  }

  private static URI imageUri(URI uri, String raw) {
    try {
      URI image = new URI(raw);
      if (image.getScheme() == null) {
        throw new IllegalArgumentException("the image URI in " + uri + " has no scheme");
      }
      return image;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad image URI in " + uri + ": " + e.getMessage(), e);
    }
  }

  private static String decode(URI uri, String rawPath) {
    try {
      return new URI("x:" + rawPath).getSchemeSpecificPart();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad path in " + uri + ": " + e.getMessage(), e);
    }
  }
}
