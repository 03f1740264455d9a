package io.github.qcow2nio.fat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.DosFileAttributes;

/**
 * Copy and move between FAT paths: a move inside one volume is a rename of entries (no data
 * moves); anything else copies the bytes and, for a move, deletes the source.
 */
final class FatCopier {
  private final FatFileSystemProvider provider;

  FatCopier(FatFileSystemProvider provider) {
    this.provider = provider;
  }

  void copy(FatPath s, FatPath t, CopyOption... options) throws IOException {
    boolean replace = false;
    boolean attributes = false;
    for (CopyOption o : options) {
      if (o == StandardCopyOption.REPLACE_EXISTING) {
        replace = true;
      } else if (o == StandardCopyOption.COPY_ATTRIBUTES) {
        attributes = true;
      } else if (o != LinkOption.NOFOLLOW_LINKS) {
        throw new UnsupportedOperationException("copy option " + o);
      }
    }
    provider.checkWritable(t.getFileSystem());
    DosFileAttributes from = provider.readAttributes(s, DosFileAttributes.class);
    if (provider.isSameFile(s, t)) {
      return;
    }
    if (Files.exists(t)) {
      if (!replace) {
        throw new FileAlreadyExistsException(t.toString());
      }
      provider.delete(t);
    }
    if (from.isDirectory()) {
      provider.createDirectory(t);
    } else {
      try (InputStream in = provider.newInputStream(s);
          OutputStream out = provider.newOutputStream(t, StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE)) {
        in.transferTo(out);
      }
    }
    if (attributes) {
      DosFileAttributeView v = provider.getFileAttributeView(t, DosFileAttributeView.class);
      v.setTimes(from.lastModifiedTime(), from.lastAccessTime(), from.creationTime());
      v.setHidden(from.isHidden());
      v.setSystem(from.isSystem());
      v.setArchive(from.isArchive());
      v.setReadOnly(from.isReadOnly());
    }
  }

  void move(FatPath s, FatPath t, CopyOption... options) throws IOException {
    boolean replace = false;
    for (CopyOption o : options) {
      if (o == StandardCopyOption.REPLACE_EXISTING) {
        replace = true;
      } else if (o != StandardCopyOption.ATOMIC_MOVE && o != LinkOption.NOFOLLOW_LINKS
          && o != StandardCopyOption.COPY_ATTRIBUTES) {
        throw new UnsupportedOperationException("move option " + o);
      }
    }
    provider.checkWritable(s.getFileSystem());
    if (s.getFileSystem() == t.getFileSystem()) {
      String[] to = FatFileSystem.names(t);
      if (to.length == 0) {
        throw new FileAlreadyExistsException("/");
      }
      s.getFileSystem().volume().move(FatFileSystem.names(s), to, replace);
      return;
    }
    // Another FAT volume: copy, then delete (a directory moves only when empty, as Files says).
    if (provider.readAttributes(s, BasicFileAttributes.class).isDirectory()
        && !s.getFileSystem().volume().list(FatFileSystem.names(s)).isEmpty()) {
      throw new DirectoryNotEmptyException(s.toString());
    }
    copy(s, t, replace ? new CopyOption[] {StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.COPY_ATTRIBUTES} : new CopyOption[] {StandardCopyOption.COPY_ATTRIBUTES});
    provider.delete(s);
  }
}
