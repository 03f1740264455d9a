package io.github.qcow2nio.fat;

import io.github.qcow2nio.fat.volume.ShortEntry;
import io.github.qcow2nio.nio.NamedAttributes;
import io.github.qcow2nio.nio.PathAttributeView;
import java.io.IOException;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

/**
 * The "basic" and "dos" views of one path: read from its entry on each call; writes go to the
 * entry at once. Times round down to FAT's two seconds (access: to the day).
 */
final class FatAttributeView extends PathAttributeView<FatPath>
    implements DosFileAttributeView {
  FatAttributeView(FatPath path, String name) {
    super(path, name);
  }

  @Override
  public FatAttributes readAttributes() throws IOException {
    FatFileSystem fs = path().getFileSystem();
    return new FatAttributes(fs.volume().lookup(FatFileSystem.names(path())));
  }

  @Override
  public void setTimes(FileTime modified, FileTime access, FileTime create) throws IOException {
    FatFileSystem fs = path().getFileSystem();
    fs.provider().checkWritable(fs);
    fs.volume().setTimes(FatFileSystem.names(path()), instant(modified), instant(access),
        instant(create));
  }

  private static Instant instant(FileTime t) {
    return t == null ? null : t.toInstant();
  }

  private void setBit(int mask, boolean value) throws IOException {
    FatFileSystem fs = path().getFileSystem();
    fs.provider().checkWritable(fs);
    String[] names = FatFileSystem.names(path());
    int attrs = readAttributes().node().isRoot() ? 0 : fs.volume().lookup(names).entry()
        .attributes();
    fs.volume().setAttributes(names, value ? attrs | mask : attrs & ~mask);
  }

  @Override
  public void setReadOnly(boolean value) throws IOException {
    setBit(ShortEntry.READ_ONLY, value);
  }

  @Override
  public void setHidden(boolean value) throws IOException {
    setBit(ShortEntry.HIDDEN, value);
  }

  @Override
  public void setSystem(boolean value) throws IOException {
    setBit(ShortEntry.SYSTEM, value);
  }

  @Override
  public void setArchive(boolean value) throws IOException {
    setBit(ShortEntry.ARCHIVE, value);
  }

  /** {@code Files.readAttributes(path, "dos:*")} and friends. */
  static Map<String, Object> readByName(FatPath path, String attributes) throws IOException {
    NamedAttributes.Request r = NamedAttributes.Request.parse(attributes);
    String view = r.view();
    boolean dos = NamedAttributes.isOwnView(view, "dos", "a FAT file system");
    Map<String, Object> all = new FatAttributeView(path, view).readAttributes().asMap(dos);
    return NamedAttributes.select(all, r.names(),
        a -> new IllegalArgumentException("no attribute '" + a + "' in view " + view));
  }

  static void setByName(FatPath path, String attribute, Object value) throws IOException {
    NamedAttributes.Request r = NamedAttributes.Request.parse(attribute);
    String view = r.view();
    String a = r.names();
    FatAttributeView v = new FatAttributeView(path, view);
    if (!view.equals("basic") && !view.equals("dos")) {
      throw new UnsupportedOperationException("attribute view '" + view + "'");
    }
    if (NamedAttributes.setTime(v, a, value)) {
      return;
    }
    switch (a) {
      case "readonly", "hidden", "system", "archive" -> {
        if (!view.equals("dos")) {
          throw new IllegalArgumentException("'" + a + "' is a dos attribute");
        }
        boolean b = (Boolean) value;
        switch (a) {
          case "readonly" -> v.setReadOnly(b);
          case "hidden" -> v.setHidden(b);
          case "system" -> v.setSystem(b);
          default -> v.setArchive(b);
        }
      }
      default -> throw new IllegalArgumentException("attribute '" + a + "' cannot be set");
    }
  }
}
