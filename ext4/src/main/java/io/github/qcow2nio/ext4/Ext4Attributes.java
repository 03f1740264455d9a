package io.github.qcow2nio.ext4;

import io.github.qcow2nio.ext4.disk.Inode;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/** The attributes of one inode, read once. */
record Ext4Attributes(Inode inode) implements Ext4FileAttributes {
  private static final PosixFilePermission[] BITS = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ};

  @Override
  public FileTime lastModifiedTime() {
    return FileTime.from(inode.mtime());
  }

  @Override
  public FileTime lastAccessTime() {
    return FileTime.from(inode.atime());
  }

  /** The inode's birth time where it has room for one (256-byte inodes), else mtime as the JDK. */
  @Override
  public FileTime creationTime() {
    return FileTime.from(inode.crtime() != null ? inode.crtime() : inode.mtime());
  }

  @Override
  public boolean isRegularFile() {
    return inode.isRegularFile();
  }

  @Override
  public boolean isDirectory() {
    return inode.isDirectory();
  }

  @Override
  public boolean isSymbolicLink() {
    return inode.isSymlink();
  }

  @Override
  public boolean isOther() {
    return !isRegularFile() && !isDirectory() && !isSymbolicLink();
  }

  @Override
  public long size() {
    return inode.size();
  }

  @Override
  public Object fileKey() {
    return inode.number();
  }

  @Override
  public UserPrincipal owner() {
    return new Principals.User(inode.uid());
  }

  @Override
  public GroupPrincipal group() {
    return new Principals.Group(inode.gid());
  }

  @Override
  public Set<PosixFilePermission> permissions() {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < BITS.length; bit++) {
      if ((inode.mode() & (1 << bit)) != 0) {
        out.add(BITS[bit]);
      }
    }
    return out;
  }

  @Override
  public long ino() {
    return inode.number();
  }

  @Override
  public int mode() {
    return inode.mode();
  }

  @Override
  public int nlink() {
    return inode.linksCount();
  }

  @Override
  public long uid() {
    return inode.uid();
  }

  @Override
  public long gid() {
    return inode.gid();
  }

  @Override
  public FileTime ctime() {
    return FileTime.from(inode.ctime());
  }

  @Override
  public int flags() {
    return inode.flags();
  }
}
