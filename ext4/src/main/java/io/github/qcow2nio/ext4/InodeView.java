package io.github.qcow2nio.ext4;

import io.github.qcow2nio.nio.NamedAttributes;
import io.github.qcow2nio.nio.PathAttributeView;
import java.io.IOException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The basic, owner, posix and unix views of a path, one class answering under each name; the
 * inode is read when asked, so a view outlives changes of nothing (the disk does not change).
 */
final class InodeView extends PathAttributeView<Ext4Path> implements Ext4FileAttributeView {
  private static final List<String> BASIC = List.of("lastModifiedTime", "lastAccessTime",
      "creationTime", "size", "isRegularFile", "isDirectory", "isSymbolicLink", "isOther",
      "fileKey");
  private static final List<String> POSIX = List.of("owner", "group", "permissions");
  private static final List<String> UNIX = List.of("ino", "mode", "nlink", "uid", "gid",
      "ctime", "flags");

  private final boolean follow;

  InodeView(Ext4Path path, boolean follow, String name) {
    super(path, name);
    this.follow = follow;
  }

  @Override
  public Ext4FileAttributes readAttributes() throws IOException {
    return new Ext4Attributes(path().getFileSystem().inode(path(), follow));
  }

  @Override
  public UserPrincipal getOwner() throws IOException {
    return readAttributes().owner();
  }

  @Override
  public void setOwner(UserPrincipal owner) {
    throw new ReadOnlyFileSystemException();
  }

  @Override
  public void setGroup(GroupPrincipal group) {
    throw new ReadOnlyFileSystemException();
  }

  @Override
  public void setPermissions(Set<PosixFilePermission> perms) {
    throw new ReadOnlyFileSystemException();
  }

  @Override
  public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime) {
    throw new ReadOnlyFileSystemException();
  }

  /** {@code Files.readAttributes(path, "view:a,b")} for the basic, owner, posix and unix views. */
  static Map<String, Object> readByName(Ext4Path path, String attributes, boolean follow)
      throws IOException {
    NamedAttributes.Request r = NamedAttributes.Request.parse(attributes);
    String view = r.view();
    List<String> allowed = switch (view) {
      case "basic" -> BASIC;
      case "owner" -> List.of("owner");
      case "posix" -> concat(BASIC, POSIX);
      case Ext4FileAttributeView.NAME -> concat(concat(BASIC, POSIX), UNIX);
      default -> throw new UnsupportedOperationException("attribute view '" + view
          + "'; an ext4 file system has basic, owner, posix, unix and user");
    };
    Ext4FileAttributes a = new InodeView(path, follow, view).readAttributes();
    Map<String, Object> basic = NamedAttributes.basic(a);
    Map<String, Object> all = new LinkedHashMap<>();
    for (String n : allowed) {
      all.put(n, basic.containsKey(n) ? basic.get(n) : value(a, n));
    }
    return NamedAttributes.select(all, r.names(), n -> new IllegalArgumentException(
        "'" + n + "' is not an attribute of the " + view + " view; it has " + allowed));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  /** The value of a posix or unix attribute (the basic ones come from the shared map). */
  private static Object value(Ext4FileAttributes a, String n) {
    return switch (n) {
      case "owner" -> a.owner();
      case "group" -> a.group();
      case "permissions" -> a.permissions();
      case "ino" -> a.ino();
      case "mode" -> a.mode();
      case "nlink" -> a.nlink();
      case "uid" -> (int) a.uid();
      case "gid" -> (int) a.gid();
      case "ctime" -> a.ctime();
      case "flags" -> a.flags();
      default -> throw new IllegalArgumentException(n);
    };
  }
}
