package io.github.qcow2nio.nio;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * The URI form of a file system inside a file: {@code scheme:<inner-uri>} names the file system
 * and {@code scheme:<inner-uri>!/path} a path in it. The inner URI may hold "!/" itself (a file in
 * a zip, a qcow2 image's {@code /disk}, a partition), so where to cut is each provider's
 * documented rule: {@link #lastCut} or every cut, first first ({@link #cuts}).
 *
 * <p>The messages are the provider's own (they are part of what its users see), so they are
 * given here rather than built.
 */
public final class NestedUri {
  private static final String SEPARATOR = "!/";

  private final String scheme;
  private final String innerNoun;
  private final String pathForm;
  private final String opaqueForm;
  private final boolean escapeBang;

  /**
   * @param scheme the provider's scheme
   * @param innerNoun what the inner URI names ("image", "disk", "file", "device"), in messages
   * @param pathForm how a path URI looks, for a URI without "!/", such as "a FAT path URI has the
   *     form fat:&lt;file-uri&gt;!/path"
   * @param opaqueForm what a URI of the scheme is, for a hierarchical one
   * @param escapeBang whether '!' in a path is written %21, for a file system whose names may
   *     hold "!" and whose cut is the last "!/"
   */
  public NestedUri(String scheme, String innerNoun, String pathForm, String opaqueForm,
      boolean escapeBang) {
    this.scheme = scheme;
    this.innerNoun = innerNoun;
    this.pathForm = pathForm;
    this.opaqueForm = opaqueForm;
    this.escapeBang = escapeBang;
  }

  /** One way to read a path URI: the inner URI and the (decoded) path inside the file system. */
  public record Split(URI inner, String path) {}

  public String scheme() {
    return scheme;
  }

  /** The path URI cut at its last "!/". */
  public Split lastCut(URI uri) {
    String spec = checkScheme(uri);
    int i = spec.lastIndexOf(SEPARATOR);
    if (i < 0) {
      throw noSeparator(uri);
    }
    return new Split(inner(uri, spec.substring(0, i)), decode(uri, spec.substring(i + 1)));
  }

  /** Every way to cut the path URI at a "!/", the first "!/" first. */
  public List<Split> cuts(URI uri) {
    String spec = checkScheme(uri);
    List<Split> out = new ArrayList<>();
    for (int i = spec.indexOf(SEPARATOR); i >= 0; i = spec.indexOf(SEPARATOR, i + 1)) {
      out.add(new Split(inner(uri, spec.substring(0, i)), decode(uri, spec.substring(i + 1))));
    }
    if (out.isEmpty()) {
      throw noSeparator(uri);
    }
    return out;
  }

  /** The inner URI of a file-system URI: everything after the scheme, less a trailing "!/". */
  public URI fileSystemInner(URI uri) {
    String spec = checkScheme(uri);
    if (spec.endsWith(SEPARATOR)) {
      spec = spec.substring(0, spec.length() - SEPARATOR.length());
    }
    return inner(uri, spec);
  }

  public URI fileSystemUri(URI inner) {
    return URI.create(scheme + ":" + inner);
  }

  public URI pathUri(URI inner, String absolutePath) {
    try {
      String encoded = new URI(null, null, absolutePath, null).getRawPath();
      if (escapeBang) {
        encoded = encoded.replace("!", "%21");
      }
      return URI.create(scheme + ":" + inner + "!" + encoded);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot encode path " + absolutePath, e);
    }
  }

  private IllegalArgumentException noSeparator(URI uri) {
    return new IllegalArgumentException(pathForm + "; no '!/' in " + uri);
  }

  private String checkScheme(URI uri) {
    if (!scheme.equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("URI scheme is not '" + scheme + "': " + uri);
    }
    if (!uri.isOpaque()) {
      throw new IllegalArgumentException(opaqueForm + "; got " + uri);
    }
    return uri.getRawSchemeSpecificPart();
  }

  private URI inner(URI uri, String raw) {
    try {
      URI inner = new URI(raw);
      if (inner.getScheme() == null) {
        throw new IllegalArgumentException(
            "the " + innerNoun + " URI in " + uri + " has no scheme");
      }
      return inner;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "bad " + innerNoun + " URI in " + uri + ": " + e.getMessage(), e);
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
