package io.github.qcow2nio.nio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Attributes by name, as {@code Files.readAttributes(path, "view:a,b")} and {@code
 * Files.setAttribute(path, "view:name", value)} give them: the request split into its view and
 * names, the basic attributes as a map, the chosen names picked from a view's map, and the basic
 * times set by name. The messages of refusals are each provider's own, so they are given here.
 */
public final class NamedAttributes {
  private NamedAttributes() {}

  /**
   * A request "view:names" (or "names", of the basic view).
   *
   * @param view the view's name, "basic" when none is given
   * @param names "*" or a comma-separated list
   */
  public record Request(String view, String names) {
    public static Request parse(String attributes) {
      int colon = attributes.indexOf(':');
      return colon < 0 ? new Request("basic", attributes)
          : new Request(attributes.substring(0, colon), attributes.substring(colon + 1));
    }
  }

  /** The nine basic attributes by name, in the order {@code BasicFileAttributes} lists them. */
  public static Map<String, Object> basic(BasicFileAttributes a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lastModifiedTime", a.lastModifiedTime());
    m.put("lastAccessTime", a.lastAccessTime());
    m.put("creationTime", a.creationTime());
    m.put("size", a.size());
    m.put("isRegularFile", a.isRegularFile());
    m.put("isDirectory", a.isDirectory());
    m.put("isSymbolicLink", a.isSymbolicLink());
    m.put("isOther", a.isOther());
    m.put("fileKey", a.fileKey());
    return m;
  }

  /**
   * The attributes {@code names} asks for out of all a view has: "*" is all of them, and a name
   * the view does not have is {@code unknown}'s exception. Names are trimmed ("size, isOther").
   */
  public static Map<String, Object> select(Map<String, Object> all, String names,
      Function<String, IllegalArgumentException> unknown) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String n : names.split(",")) {
      String name = n.trim();
      if (name.equals("*")) {
        out.putAll(all);
      } else if (all.containsKey(name)) {
        out.put(name, all.get(name));
      } else {
        throw unknown.apply(name);
      }
    }
    return out;
  }

  /**
   * Whether {@code view} is the file system's own view ({@code own}) rather than "basic"; any
   * other is refused as "attribute view 'V'; NOUN has basic and OWN".
   */
  public static boolean isOwnView(String view, String own, String noun) {
    if (view.equals("basic")) {
      return false;
    }
    if (view.equals(own)) {
      return true;
    }
    throw new UnsupportedOperationException("attribute view '" + view + "'; " + noun
        + " has basic and " + own);
  }

  /**
   * Sets the basic time {@code name} through {@code view}; false when {@code name} is not one of
   * the three times, for the caller to refuse in its words.
   */
  public static boolean setTime(BasicFileAttributeView view, String name, Object value)
      throws IOException {
    switch (name) {
      case "lastModifiedTime" -> view.setTimes((FileTime) value, null, null);
      case "lastAccessTime" -> view.setTimes(null, (FileTime) value, null);
      case "creationTime" -> view.setTimes(null, null, (FileTime) value);
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * The times of the file a file system is held in, which are the times of all its entries.
   */
  public record HostTimes(FileTime modified, FileTime accessed, FileTime created) {
    /** The times of {@code host}; the epoch for a file whose provider can no longer say. */
    public static HostTimes of(Path host) {
      try {
        BasicFileAttributes a = Files.readAttributes(host, BasicFileAttributes.class);
        return new HostTimes(a.lastModifiedTime(), a.lastAccessTime(), a.creationTime());
      } catch (IOException | UnsupportedOperationException e) {
        // A file that can no longer be queried still has its entries; times are unknown.
        FileTime epoch = FileTime.fromMillis(0);
        return new HostTimes(epoch, epoch, epoch);
      }
    }

    /**
     * Sets the times of {@code host} (null leaves one as it is): the times of every entry of a
     * file system held in it, which must not be read-only.
     */
    public static void set(Path host, boolean readOnly, FileTime modified, FileTime accessed,
        FileTime created) throws IOException {
      if (readOnly) {
        throw new ReadOnlyFileSystemException();
      }
      Files.getFileAttributeView(host, BasicFileAttributeView.class)
          .setTimes(modified, accessed, created);
    }
  }
}
