package io.github.qcow2nio.fat;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The URI forms of the contract: {@code fat:<file-uri>} names a file system and
 * {@code fat:<file-uri>!/dir/name} a path in it, cut at the last "!/". The file's own URI may
 * hold "!/" (a partition of a qcow2 disk does); a '!' in a FAT name is written %21, so the last
 * "!/" is always the cut.
 */
final class FatUris {
  static final String SCHEME = "fat";
  private static final String SEPARATOR = "!/";

  private FatUris() {}

  record Split(URI file, String path) {}

  static Split split(URI uri) {
    String spec = checkScheme(uri);
    int i = spec.lastIndexOf(SEPARATOR);
    if (i < 0) {
      throw new IllegalArgumentException(
          "a FAT path URI has the form fat:<file-uri>!/path; no '!/' in " + uri);
    }
    return new Split(fileUri(uri, spec.substring(0, i)), decode(uri, spec.substring(i + 1)));
  }

  /** The file URI of a file-system URI: everything after "fat:", less a trailing "!/". */
  static URI fileSystemFile(URI uri) {
    String spec = checkScheme(uri);
    if (spec.endsWith(SEPARATOR)) {
      spec = spec.substring(0, spec.length() - SEPARATOR.length());
    }
    return fileUri(uri, spec);
  }

  static URI fileSystemUri(URI file) {
    return URI.create(SCHEME + ":" + file.toString());
  }

  static URI pathUri(URI file, String absolutePath) {
    try {
      String encoded = new URI(null, null, absolutePath, null).getRawPath().replace("!", "%21");
      return URI.create(SCHEME + ":" + file.toString() + "!" + encoded);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot encode path " + absolutePath, e);
    }
  }

  private static String checkScheme(URI uri) {
    if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("URI scheme is not '" + SCHEME + "': " + uri);
    }
    if (!uri.isOpaque()) {
      throw new IllegalArgumentException("a FAT URI is 'fat:' followed by the volume file's URI, "
          + "such as fat:file:///images/floppy.img; got " + uri);
    }
    return uri.getRawSchemeSpecificPart();
  }

  private static URI fileUri(URI uri, String raw) {
    try {
      URI file = new URI(raw);
      if (file.getScheme() == null) {
        throw new IllegalArgumentException("the file URI in " + uri + " has no scheme");
      }
      return file;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("bad file URI in " + uri + ": " + e.getMessage(), e);
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
