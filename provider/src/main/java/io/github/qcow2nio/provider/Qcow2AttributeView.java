package io.github.qcow2nio.provider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * Both views of an entry, "basic" and "qcow2". Times are the image file's: every entry changes
 * when the image does.
 */
final class Qcow2AttributeView implements Qcow2FileAttributeView {
  private static final FileTime EPOCH = FileTime.fromMillis(0);

  private final Qcow2Path path;
  private final String name;

  Qcow2AttributeView(Qcow2Path path, String name) {
    this.path = path;
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Qcow2Attributes readAttributes() throws IOException {
    Qcow2FileSystem fs = path.getFileSystem();
    Entry e = fs.entry(path);
    long virtualSize = e.isDirectory() ? fs.image().disk().size() : fs.disk(e).size();
    FileTime modified = EPOCH;
    FileTime accessed = EPOCH;
    FileTime created = EPOCH;
    try {
      BasicFileAttributes host = Files.readAttributes(fs.imagePath(), BasicFileAttributes.class);
      modified = host.lastModifiedTime();
      accessed = host.lastAccessTime();
      created = host.creationTime();
    } catch (IOException | UnsupportedOperationException ignored) {
      // An image whose file can no longer be queried still has its disks; times are unknown.
    }
    return Qcow2Attributes.of(e, e.isDirectory() ? 0 : virtualSize, virtualSize, fs.image(),
        modified, accessed, created);
  }

  /** Sets the image file's times: they are the times of every entry. */
  @Override
  public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime)
      throws IOException {
    Qcow2FileSystem fs = path.getFileSystem();
    fs.entry(path);
    if (fs.isReadOnly()) {
      throw new ReadOnlyFileSystemException();
    }
    Files.getFileAttributeView(fs.imagePath(), BasicFileAttributeView.class)
        .setTimes(lastModifiedTime, lastAccessTime, createTime);
  }

  /** {@code Files.readAttributes(path, "view:names")}: "basic" or "qcow2", "*" for all. */
  static Map<String, Object> readByName(Qcow2Path path, String attributes) throws IOException {
    int colon = attributes.indexOf(':');
    String view = colon < 0 ? "basic" : attributes.substring(0, colon);
    boolean qcow2 = checkView(view);
    return new Qcow2AttributeView(path, view).readAttributes()
        .toMap(qcow2, attributes.substring(colon + 1));
  }

  /** {@code Files.setAttribute}: only the times can be set, on the image file. */
  static void setByName(Qcow2Path path, String attribute, Object value) throws IOException {
    int colon = attribute.indexOf(':');
    String view = colon < 0 ? "basic" : attribute.substring(0, colon);
    checkView(view);
    Qcow2AttributeView v = new Qcow2AttributeView(path, view);
    switch (attribute.substring(colon + 1)) {
      case "lastModifiedTime" -> v.setTimes((FileTime) value, null, null);
      case "lastAccessTime" -> v.setTimes(null, (FileTime) value, null);
      case "creationTime" -> v.setTimes(null, null, (FileTime) value);
      default -> throw new IllegalArgumentException("attribute '" + attribute
          + "' cannot be set; only the basic times can");
    }
  }

  private static boolean checkView(String view) {
    return switch (view) {
      case "basic" -> false;
      case NAME -> true;
      default -> throw new UnsupportedOperationException("attribute view '" + view
          + "'; a qcow2 file system has basic and qcow2");
    };
  }
}
