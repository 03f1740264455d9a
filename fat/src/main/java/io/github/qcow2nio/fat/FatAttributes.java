package io.github.qcow2nio.fat;

import io.github.qcow2nio.fat.volume.DosTime;
import io.github.qcow2nio.fat.volume.Node;
import io.github.qcow2nio.fat.volume.ShortEntry;
import io.github.qcow2nio.nio.NamedAttributes;
import io.github.qcow2nio.nio.PlainFileAttributes;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

/**
 * A file's attributes as its directory entry holds them. Times are FAT's local times read in the
 * JVM's zone; the access time has only a date. The root directory has no entry: its times are
 * the epoch. No file key: an entry's place changes when it is renamed, so it identifies nothing
 * for long.
 */
record FatAttributes(Node node) implements DosFileAttributes, PlainFileAttributes {
  private ShortEntry e() {
    return node.entry();
  }

  @Override
  public FileTime lastModifiedTime() {
    return node.isRoot() ? FileTime.from(Instant.EPOCH)
        : FileTime.from(DosTime.toInstant(e().writeDate(), e().writeTime(), 0));
  }

  @Override
  public FileTime lastAccessTime() {
    return node.isRoot() ? FileTime.from(Instant.EPOCH)
        : FileTime.from(DosTime.toInstant(e().accessDate(), 0, 0));
  }

  @Override
  public FileTime creationTime() {
    return node.isRoot() ? FileTime.from(Instant.EPOCH)
        : FileTime.from(DosTime.toInstant(e().createDate(), e().createTime(), e().createTenMs()));
  }

  @Override
  public boolean isDirectory() {
    return node.isDirectory();
  }

  @Override
  public long size() {
    return node.size();
  }

  private boolean bit(int mask) {
    return !node.isRoot() && (e().attributes() & mask) != 0;
  }

  @Override
  public boolean isReadOnly() {
    return bit(ShortEntry.READ_ONLY);
  }

  @Override
  public boolean isHidden() {
    return bit(ShortEntry.HIDDEN);
  }

  @Override
  public boolean isArchive() {
    return bit(ShortEntry.ARCHIVE);
  }

  @Override
  public boolean isSystem() {
    return bit(ShortEntry.SYSTEM);
  }

  Map<String, Object> asMap(boolean dos) {
    Map<String, Object> m = NamedAttributes.basic(this);
    if (dos) {
      m.put("readonly", isReadOnly());
      m.put("hidden", isHidden());
      m.put("archive", isArchive());
      m.put("system", isSystem());
      m.put("attributes", node.isRoot() ? ShortEntry.DIRECTORY : e().attributes());
    }
    return m;
  }
}
