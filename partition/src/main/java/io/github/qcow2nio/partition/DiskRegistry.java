package io.github.qcow2nio.partition;

import io.github.qcow2nio.nio.FileSystemRegistry;
import io.github.qcow2nio.partition.table.DiskAccess;
import io.github.qcow2nio.partition.table.TableReader;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;

/**
 * The open partition file systems, by their disk file's identity (its real path where the
 * provider has one), and how a disk file is opened: the widest access it allows, a FileChannel
 * where there is one.
 */
final class DiskRegistry {
  /** The open partition file systems, by their disk file's identity. */
  static final FileSystemRegistry<PartitionFileSystem> OPEN = new FileSystemRegistry<>(
      "a partition file system", uri -> identity(Path.of(uri)));

  private DiskRegistry() {}

  /** True when the file holds a table; a damaged table is a table (its error surfaces here). */
  static boolean probe(Path path, int sectorSize) throws IOException {
    try (SeekableByteChannel ch = openChannel(path, false)) {
      return TableReader.read(DiskAccess.of(ch), sectorSize).isPresent();
    }
  }

  static Optional<PartitionFileSystem> open(PartitionFileSystemProvider provider, Path disk,
      PartitionEnv env) throws IOException {
    Object key = identity(disk);
    return Optional.ofNullable(OPEN.open(key, disk.toUri(), () -> {
      boolean writable = env.accessMode() != PartitionEnv.AccessMode.READ_ONLY;
      if (env.accessMode() == PartitionEnv.AccessMode.DEFAULT) {
        writable = !disk.getFileSystem().isReadOnly() && Files.isWritable(disk);
      }
      SeekableByteChannel ch = null;
      try {
        ch = openChannel(disk, writable);
      } catch (AccessDeniedException denied) {
        if (env.accessMode() == PartitionEnv.AccessMode.READ_WRITE) {
          throw denied;
        }
      } catch (UnsupportedOperationException denied) { // ReadOnlyFileSystemException too
        if (env.accessMode() == PartitionEnv.AccessMode.READ_WRITE) {
          throw denied;
        }
      }
      if (ch == null) {
        // The disk's provider says it can be written but will not open it so: read it only.
        writable = false;
        ch = openChannel(disk, false);
      }
      DiskAccess access = DiskAccess.of(ch);
      try {
        Optional<PartitionTable> table = TableReader.read(access, env.sectorSize());
        if (table.isEmpty()) {
          access.close();
          return null;
        }
        return new PartitionFileSystem(provider, disk, key, access, table.get(), !writable);
      } catch (IOException | RuntimeException e) {
        try {
          access.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }));
  }

  /** A FileChannel where the disk's provider has one (positional I/O), else a byte channel. */
  static SeekableByteChannel openChannel(Path disk, boolean writable) throws IOException {
    Set<OpenOption> opts = writable
        ? Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE)
        : Set.of(StandardOpenOption.READ);
    try {
      return disk.getFileSystem().provider().newFileChannel(disk, opts);
    } catch (UnsupportedOperationException noFileChannel) {
      return Files.newByteChannel(disk, opts);
    }
  }

  private static Object identity(Path disk) {
    try {
      return disk.toRealPath();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return disk.toAbsolutePath().normalize();
    }
  }
}
