package io.github.qcow2nio.ext4;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The URI forms of the contract: {@code ext4:<device-uri>} names a file system and
 * {@code ext4:<device-uri>!/path} a path in it, cut at the last "!/" because the device's own URI
 * may hold one (a qcow2 image's {@code /disk}, a partition, a zip entry).
 */
final class Ext4Uris {
  static final String SCHEME = "ext4";
  private static final String SEPARATOR = "!/";

  private Ext4Uris() {}

  record Split(URI device, String path) {}

  static Split split(URI uri) {
    String spec = checkScheme(uri);
    int cut = spec.lastIndexOf(SEPARATOR);
    if (cut < 0) {
      throw new IllegalArgumentException(
          "an ext4 path URI has the form ext4:<device-uri>!/path; no '!/' in " + uri);
    }
    return new Split(deviceUri(uri, spec.substring(0, cut)), decode(uri, spec.substring(cut + 1)));
  }

  /** The device of a file-system URI: everything after "ext4:", less a trailing "!/". */
  static URI fileSystemDevice(URI uri) {
    String spec = checkScheme(uri);
    if (spec.endsWith(SEPARATOR)) {
      spec = spec.substring(0, spec.length() - SEPARATOR.length());
    }
    return deviceUri(uri, spec);
  }

  static URI pathUri(URI device, String absolutePath) {
    try {
      String encoded = new URI(null, null, absolutePath, null).getRawPath();
      return URI.create(SCHEME + ":" + device + "!" + encoded);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot encode path " + absolutePath, e);
    }
  }

  private static String checkScheme(URI uri) {
    if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("URI scheme is not '" + SCHEME + "': " + uri);
    }
    if (!uri.isOpaque()) {
      throw new IllegalArgumentException("an ext4 URI is 'ext4:' followed by the URI of the file"
          + " holding the file system, such as ext4:file:///images/root.img; got " + uri);
    }
    return uri.getRawSchemeSpecificPart();
  }

  private static URI deviceUri(URI uri, String raw) {
    try {
      URI device = new URI(raw);
      if (device.getScheme() == null) {
        throw new IllegalArgumentException("the device URI in " + uri + " has no scheme");
      }
      return device;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad device URI in " + uri + ": " + e.getMessage(), e);
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
