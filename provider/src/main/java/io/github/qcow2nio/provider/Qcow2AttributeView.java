package io.github.qcow2nio.provider;

import io.github.qcow2nio.nio.NamedAttributes;
import io.github.qcow2nio.nio.NamedAttributes.HostTimes;
import io.github.qcow2nio.nio.PathAttributeView;
import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * Both views of an entry, "basic" and "qcow2". Times are the image file's: every entry changes
 * when the image does.
 */
final class Qcow2AttributeView extends PathAttributeView<Qcow2Path>
    implements Qcow2FileAttributeView {
  Qcow2AttributeView(Qcow2Path path, String name) {
    super(path, name);
  }

  @Override
  public Qcow2Attributes readAttributes() throws IOException {
    Qcow2FileSystem fs = path().getFileSystem();
    Entry e = fs.entry(path());
    long virtualSize = e.isDirectory() ? fs.image().disk().size() : fs.disk(e).size();
    return Qcow2Attributes.of(e, e.isDirectory() ? 0 : virtualSize, virtualSize, fs.image(),
        HostTimes.of(fs.imagePath()));
  }

  /** Sets the image file's times: they are the times of every entry. */
  @Override
  public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime)
      throws IOException {
    Qcow2FileSystem fs = path().getFileSystem();
    fs.entry(path());
    HostTimes.set(fs.imagePath(), fs.isReadOnly(), lastModifiedTime, lastAccessTime, createTime);
  }

  /** {@code Files.readAttributes(path, "view:names")}: "basic" or "qcow2", "*" for all. */
  static Map<String, Object> readByName(Qcow2Path path, String attributes) throws IOException {
    NamedAttributes.Request r = NamedAttributes.Request.parse(attributes);
    boolean qcow2 = checkView(r.view());
    return new Qcow2AttributeView(path, r.view()).readAttributes().toMap(qcow2, r.names());
  }

  /** {@code Files.setAttribute}: only the times can be set, on the image file. */
  static void setByName(Qcow2Path path, String attribute, Object value) throws IOException {
    NamedAttributes.Request r = NamedAttributes.Request.parse(attribute);
    checkView(r.view());
    if (!NamedAttributes.setTime(new Qcow2AttributeView(path, r.view()), r.names(), value)) {
      throw new IllegalArgumentException("attribute '" + attribute
          + "' cannot be set; only the basic times can");
    }
  }

  private static boolean checkView(String view) {
    return NamedAttributes.isOwnView(view, NAME, "a qcow2 file system");
  }
}
