package io.github.qcow2nio.format.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/** An image file at a {@link Path} on any file-system provider. */
public final class PathLocation implements ImageLocation {
  private final Path path;

  public PathLocation(Path path) {
    this.path = Objects.requireNonNull(path, "path");
  }

  public Path path() {
    return path;
  }

  @Override
  public String displayName() {
    return path.toString();
  }

  @Override
  public Object identity() throws IOException {
    try {
      return path.toRealPath();
    } catch (NoSuchFileException | UnsupportedOperationException e) {
      return path.toAbsolutePath().normalize();
    }
  }

  @Override
  public HostFile open(boolean writable) throws IOException {
    OpenOption[] options =
        writable
            ? new OpenOption[] {StandardOpenOption.READ, StandardOpenOption.WRITE}
            : new OpenOption[] {StandardOpenOption.READ};
    if (Files.isDirectory(path)) {
      // Linux opens a directory for reading and fails only at the first read.
      throw new FileSystemException(path.toString(), null, "is a directory");
    }
    FileChannel first;
    try {
      first = FileChannel.open(path, options);
    } catch (UnsupportedOperationException e) {
      // Providers without FileChannel support (some zipfs modes) still give a byte channel.
      return new SeekableChannelHostFile(
          path.toString(), Files.newByteChannel(path, options), writable);
    }
    FileChannel[] initial = {first};
    return new FileChannelHostFile(
        path.toString(),
        () -> {
          FileChannel ch = initial[0];
          if (ch != null) {
            initial[0] = null;
            return ch;
          }
          return FileChannel.open(path, options);
        },
        writable, path);
  }

  /**
   * Creates the file, or empties it once QEMU's locks for creating it are held (as
   * {@code qemu-img create}): an image another program (or another open here) uses is left
   * alone, with QEMU's {@code Failed to get "write" lock}.
   */
  @Override
  public HostFile create() throws IOException {
    try {
      Files.newByteChannel(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
    } catch (FileAlreadyExistsException e) {
      // Emptied below, under the lock; closing a channel of it here would drop our own locks.
    }
    HostFile file = open(true);
    boolean ok = false;
    try {
      file.lock(LockPermissions.create());
      file.truncate(0);
      ok = true;
      return file;
    } finally {
      if (!ok) {
        file.close();
      }
    }
  }

  @Override
  public ImageLocation resolve(String name) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    Path named;
    try {
      named = path.getFileSystem().getPath(name);
    } catch (InvalidPathException e) {
      // The name comes from the image's bytes: a bad one is a problem of the image, not a bug.
      throw new FileSystemException(path.toString(), null,
          "names a file that cannot exist here: " + e.getMessage());
    }
    return new PathLocation(parent == null ? named : parent.resolve(named));
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
