package io.github.qcow2nio.format.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.spi.FileSystemProvider;
import java.util.Map;

/**
 * Opens a file system on a (hostile) file through the provider of one scheme and reads all of
 * it, within budgets of its own so that a huge but legitimate tree cannot look like a hang: at
 * most {@link #ENTRIES} entries, {@link #DEPTH} levels, {@link #SPAN} bytes from each end of a
 * file. The provider's iteration errors arrive as DirectoryIteratorException, NIO's wrapper of
 * an IOException; they are unwrapped here.
 */
public final class TreeReader {
  public static final int ENTRIES = 4000;
  public static final int DEPTH = 64;
  public static final int SPAN = 1 << 20;

  private int entries;

  private TreeReader() {}

  public static FileSystemProvider provider(String scheme) {
    return FileSystemProvider.installedProviders().stream()
        .filter(p -> p.getScheme().equals(scheme)).findFirst().orElseThrow();
  }

  /**
   * Opens {@code file} with {@code provider} and reads everything; false when the provider says
   * the file is not its kind (UnsupportedOperationException, the NIO contract for that).
   */
  public static boolean readAll(FileSystemProvider provider, Path file) throws IOException {
    FileSystem fs;
    try {
      fs = provider.newFileSystem(file, Map.of());
    } catch (UnsupportedOperationException notMine) {
      return false;
    }
    try (fs) {
      TreeReader r = new TreeReader();
      for (Path root : fs.getRootDirectories()) {
        r.walk(root, 0);
      }
      fs.getFileStores().forEach(s -> {
        try {
          s.getUsableSpace();
          s.getTotalSpace();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    return true;
  }

  private void walk(Path dir, int depth) throws IOException {
    if (depth > DEPTH) {
      return;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        if (++entries > ENTRIES) {
          return;
        }
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS);
        if (a.isDirectory()) {
          walk(p, depth + 1);
        } else if (a.isSymbolicLink()) {
          Files.readSymbolicLink(p);
        } else if (a.isRegularFile() || a.isOther()) {
          read(p);
        }
      }
    } catch (DirectoryIteratorException e) {
      throw e.getCause();
    }
  }

  private static void read(Path p) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(p)) {
      ByteBuffer b = ByteBuffer.allocate(65536);
      long size = ch.size();
      for (long pos = 0; pos < Math.min(size, SPAN); pos += b.capacity()) {
        ch.position(pos);
        ch.read(b.clear());
      }
      if (size > 0) {
        ch.position(Math.max(0, size - b.capacity()));
        ch.read(b.clear());
      }
    }
  }
}
