package io.github.qcow2nio.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The mode column of {@code ls -l} for a file of any provider. Where the file system has a Unix
 * mode ({@code unix:mode}, as ext4 reports it) it is shown whole, setuid, setgid and sticky bits
 * included; a POSIX view gives the permissions; a FAT file has none, so it is shown as Linux's
 * vfat driver shows it with the usual umask 022: rwx for directories, rw for files, the write
 * bits dropped when the DOS read-only attribute is set.
 */
final class FileMode {
  private static final int S_IFMT = 0170000;

  private FileMode() {}

  static String of(Path p, BasicFileAttributes a) throws IOException {
    Set<String> views = p.getFileSystem().supportedFileAttributeViews();
    if (views.contains("unix")) {
      Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      if (mode instanceof Integer m) {
        return unix(m, a);
      }
    }
    if (views.contains("posix")) {
      PosixFileAttributes posix = Files.readAttributes(p, PosixFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      return type(0, a) + PosixFilePermissions.toString(posix.permissions());
    }
    boolean readOnly = views.contains("dos") && Files.readAttributes(p, DosFileAttributes.class,
        LinkOption.NOFOLLOW_LINKS).isReadOnly();
    String bits = a.isDirectory() ? "rwxr-xr-x" : "rw-r--r--";
    return type(0, a) + (readOnly ? bits.replace('w', '-') : bits);
  }

  /** A Unix {@code st_mode} as ls prints it: "drwxr-sr-x", "-rwsr-xr-x", "drwxrwxrwt". */
  static String unix(int mode, BasicFileAttributes a) {
    StringBuilder sb = new StringBuilder(10).append(type(mode, a));
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      sb.append((mode & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
    }
    special(sb, 3, (mode & 04000) != 0, 's');
    special(sb, 6, (mode & 02000) != 0, 's');
    special(sb, 9, (mode & 01000) != 0, 't');
    return sb.toString();
  }

  private static void special(StringBuilder sb, int at, boolean set, char c) {
    if (set) {
      sb.setCharAt(at, sb.charAt(at) == '-' ? Character.toUpperCase(c) : c);
    }
  }

  private static char type(int mode, BasicFileAttributes a) {
    switch (mode & S_IFMT) {
      case 0040000: return 'd';
      case 0120000: return 'l';
      case 0100000: return '-';
      case 0020000: return 'c';
      case 0060000: return 'b';
      case 0010000: return 'p';
      case 0140000: return 's';
      default:
        break;
    }
    if (a.isDirectory()) {
      return 'd';
    }
    if (a.isSymbolicLink()) {
      return 'l';
    }
    return a.isRegularFile() ? '-' : '?';
  }
}
