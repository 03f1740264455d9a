package io.github.qcow2nio.provider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

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
}
