package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.io.ReferencePolicy;
import io.github.qcow2nio.partition.PartitionFileSystem;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.ProviderNotFoundException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * An image file opened as a disk for the file commands, and the file systems reached from it by
 * plain NIO: a qcow2 image's disk is the qcow2 provider's {@code /disk} (its backing chain
 * followed), a raw image is its own disk; the partition table and the file system in a partition
 * (or on the whole disk) are whatever provider {@code FileSystems.newFileSystem(Path)} finds.
 *
 * <p>A read-only disk passes {@code accessMode=readOnly} to every layer, so nothing is written to
 * any file. A writable one asks the qcow2 layer for {@code readWrite} (a read-only image file is
 * an error at once) and lets the inner layers default to writable where their file is: the ext4
 * provider refuses any other mode, and the caller checks {@link FileSystem#isReadOnly()}.
 * {@link #close()} closes the layers innermost first, so each flushes into the one below.
 */
public final class DiskImage implements Closeable {
  private static final Map<String, String> READ_ONLY = Map.of("accessMode", "readOnly");

  private final String name;
  private final boolean writable;
  private final Path disk;
  private final Deque<FileSystem> opened = new ArrayDeque<>();
  private PartitionFileSystem partitions;

  private DiskImage(String name, boolean writable, Path disk) {
    this.name = name;
    this.writable = writable;
    this.disk = disk;
  }

  /**
   * Opens {@code filename}; {@code format} is "qcow2", "raw", or null to tell by the qcow2 magic.
   */
  public static DiskImage open(String filename, String format, boolean writable)
      throws IOException {
    return open(filename, format, writable, ReferencePolicy.follow());
  }

  /**
   * As above, the qcow2 layer opening only the backing and data files {@code references}
   * allows (the provider's env keys {@code backingPolicy} and {@code confineTo}).
   */
  public static DiskImage open(String filename, String format, boolean writable,
      ReferencePolicy references) throws IOException {
    Path path = Path.of(filename);
    if (!Files.exists(path)) {
      throw new NoSuchFileException(filename);
    }
    if (writable && !Files.isWritable(path)) {
      throw new AccessDeniedException(filename);
    }
    String fmt = format != null ? format : ImageInspector.probe(path);
    if (fmt.equals("raw")) {
      return new DiskImage(filename, writable, path);
    }
    Map<String, Object> env = new HashMap<>();
    env.put("accessMode", writable ? "readWrite" : "readOnly");
    env.put("backingPolicy", references.mode().key());
    references.confineTo().ifPresent(dir -> env.put("confineTo", dir));
    FileSystem image = FileSystems.newFileSystem(URI.create("qcow2:" + path.toUri()), env);
    DiskImage d = new DiskImage(filename, writable, image.getPath("/disk"));
    d.opened.push(image);
    return d;
  }

  /** The guest-visible disk: the qcow2 image's {@code /disk}, or the raw file itself. */
  public Path disk() {
    return disk;
  }

  /** The disk's partition table as a file system listing {@code /1}, {@code /2}, ... */
  public PartitionFileSystem partitions() throws IOException {
    if (partitions == null) {
      FileSystem fs = mount(disk);
      if (!(fs instanceof PartitionFileSystem p)) {
        if (fs != null) {
          opened.pop().close();
          throw new IOException(name + ": the disk has no partition table (a "
              + scheme(fs) + " file system fills it: give PATH without N:)");
        }
        throw new IOException(name + ": the disk has no partition table");
      }
      partitions = p;
    }
    return partitions;
  }

  /** The file system in partition {@code number}, or on the whole disk when it is 0. */
  public FileSystem fileSystem(int number) throws IOException {
    if (number == 0) {
      FileSystem fs = mount(disk);
      if (fs == null) {
        throw new IOException(name + ": the disk holds no file system this tool reads "
            + "(FAT, ext2/3/4)");
      }
      if (fs instanceof PartitionFileSystem) {
        opened.pop().close();
        throw new IOException(name + ": the disk is partitioned: name the partition as N:PATH "
            + "('qcow2 partitions " + name + "' lists them)");
      }
      return fs;
    }
    Path partition = partition(number);
    FileSystem fs = mount(partition);
    if (fs == null) {
      throw new IOException(name + ": partition " + number
          + " holds no file system this tool reads (FAT, ext2/3/4)");
    }
    return fs;
  }

  /** Partition {@code number}'s file in the partition file system; it must exist. */
  public Path partition(int number) throws IOException {
    Path p = partitions().getPath("/" + number);
    if (!Files.exists(p)) {
      throw new IOException(name + ": there is no partition " + number);
    }
    return p;
  }

  /** The file system some installed provider finds in {@code file}, or null when none does. */
  private FileSystem mount(Path file) throws IOException {
    FileSystem fs;
    try {
      fs = FileSystems.newFileSystem(file, writable ? Map.of() : READ_ONLY);
    } catch (ProviderNotFoundException e) {
      return null;
    } catch (FileSystemException e) {
      throw e;
    } catch (IOException e) {
      // A provider's message names the structure and offset; say in which image and where.
      String where = file == disk ? "" : " partition " + file.getFileName();
      throw new IOException(name + where + ": " + e.getMessage(), e);
    }
    opened.push(fs);
    return fs;
  }

  static String scheme(FileSystem fs) {
    return fs.provider().getScheme();
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
