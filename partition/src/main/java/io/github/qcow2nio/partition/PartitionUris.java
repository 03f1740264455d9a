package io.github.qcow2nio.partition;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The URI forms of the contract: {@code partition:<disk-uri>} names a file system and
 * {@code partition:<disk-uri>!/1} a path in it, cut at the last "!/" (a disk URI may hold "!/"
 * itself: a qcow2 image's {@code /disk}, a file in a zip).
 */
final class PartitionUris {
  static final String SCHEME = "partition";
  private static final String SEPARATOR = "!/";

  private PartitionUris() {}

  /** A path URI read: the disk's URI and the path inside its file system. */
  record Split(URI disk, String path) {}

  static Split split(URI uri) {
    String spec = checkScheme(uri);
    int i = spec.lastIndexOf(SEPARATOR);
    if (i < 0) {
      throw new IllegalArgumentException(
          "a partition path URI has the form partition:<disk-uri>!/1; no '!/' in " + uri);
    }
    return new Split(diskUri(uri, spec.substring(0, i)), decode(uri, spec.substring(i + 1)));
  }

  /** The disk URI of a file-system URI: everything after "partition:", less a trailing "!/". */
  static URI fileSystemDisk(URI uri) {
    String spec = checkScheme(uri);
    if (spec.endsWith(SEPARATOR)) {
      spec = spec.substring(0, spec.length() - SEPARATOR.length());
    }
    return diskUri(uri, spec);
  }

  static URI fileSystemUri(URI disk) {
    return URI.create(SCHEME + ":" + disk);
  }

  static URI pathUri(URI disk, String absolutePath) {
    try {
      String encoded = new URI(null, null, absolutePath, null).getRawPath();
      return URI.create(SCHEME + ":" + disk + "!" + encoded);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot encode path " + absolutePath, e);
    }
  }

  private static String checkScheme(URI uri) {
    if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("URI scheme is not '" + SCHEME + "': " + uri);
    }
    if (!uri.isOpaque()) {
      throw new IllegalArgumentException("a partition URI is 'partition:' followed by the disk "
          + "file's URI, such as partition:file:///images/disk.raw; got " + uri);
    }
    return uri.getRawSchemeSpecificPart();
  }

  private static URI diskUri(URI uri, String raw) {
    try {
      URI disk = new URI(raw);
      if (disk.getScheme() == null) {
        throw new IllegalArgumentException("the disk URI in " + uri + " has no scheme");
      }
      return disk;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad disk URI in " + uri + ": " + e.getMessage(), e);
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
