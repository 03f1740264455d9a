package io.github.qcow2nio.fat;

import io.github.qcow2nio.fat.volume.ShortEntry;
import java.io.IOException;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The "basic" and "dos" views of one path: read from its entry on each call; writes go to the
 * entry at once. Times round down to FAT's two seconds (access: to the day).
 */
final class FatAttributeView implements DosFileAttributeView {
  private final FatPath path;
  private final String name;

  FatAttributeView(FatPath path, String name) {
    this.path = path;
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public FatAttributes readAttributes() throws IOException {
    FatFileSystem fs = path.getFileSystem();
    return new FatAttributes(fs.volume().lookup(FatFileSystem.names(path)));
  }

  @Override
  public void setTimes(FileTime modified, FileTime access, FileTime create) throws IOException {
    FatFileSystem fs = path.getFileSystem();
    fs.provider().checkWritable(fs);
    fs.volume().setTimes(FatFileSystem.names(path), instant(modified), instant(access),
        instant(create));
  }

  private static Instant instant(FileTime t) {
    return t == null ? null : t.toInstant();
  }

  private void setBit(int mask, boolean value) throws IOException {
    FatFileSystem fs = path.getFileSystem();
    fs.provider().checkWritable(fs);
    String[] names = FatFileSystem.names(path);
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
    int colon = attributes.indexOf(':');
    String view = colon < 0 ? "basic" : attributes.substring(0, colon);
    String list = colon < 0 ? attributes : attributes.substring(colon + 1);
    if (!view.equals("basic") && !view.equals("dos")) {
      throw new UnsupportedOperationException("attribute view '" + view
          + "'; a FAT file system has basic and dos");
    }
    Map<String, Object> all = new FatAttributeView(path, view).readAttributes()
        .asMap(view.equals("dos"));
    if (list.equals("*")) {
      return all;
    }
    Map<String, Object> out = new HashMap<>();
    for (String a : list.split(",")) {
      if (!all.containsKey(a)) {
        throw new IllegalArgumentException("no attribute '" + a + "' in view " + view);
      }
      out.put(a, all.get(a));
    }
    return out;
  }

  static void setByName(FatPath path, String attribute, Object value) throws IOException {
    int colon = attribute.indexOf(':');
    String view = colon < 0 ? "basic" : attribute.substring(0, colon);
    String a = colon < 0 ? attribute : attribute.substring(colon + 1);
    FatAttributeView v = new FatAttributeView(path, view);
    if (!view.equals("basic") && !view.equals("dos")) {
      throw new UnsupportedOperationException("attribute view '" + view + "'");
    }
    switch (a) {
      case "lastModifiedTime" -> v.setTimes((FileTime) value, null, null);
      case "lastAccessTime" -> v.setTimes(null, (FileTime) value, null);
      case "creationTime" -> v.setTimes(null, null, (FileTime) value);
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
