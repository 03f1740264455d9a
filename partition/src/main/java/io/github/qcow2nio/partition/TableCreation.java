package io.github.qcow2nio.partition;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The env's create=gpt|mbr: writes a table on a disk file that holds none (creating the file
 * when it does not exist and the env gives a size); a disk that has a table is left alone, as
 * zipfs leaves an existing zip file alone on create=true.
 */
final class TableCreation {
  private TableCreation() {}

  static void ensureTable(Path disk, PartitionEnv env) throws IOException {
    if (env.accessMode() == PartitionEnv.AccessMode.READ_ONLY) {
      throw new IllegalArgumentException("create=" + env.create()
          + " writes a table; it cannot go with accessMode=readOnly");
    }
    int sectorSize = env.sectorSize() == 0 ? 512 : env.sectorSize();
    if (Files.exists(disk)) {
      if (DiskRegistry.probe(disk, env.sectorSize())) {
        return;
      }
      long size = env.size() != 0 ? env.size() : Files.size(disk);
      try (SeekableByteChannel ch = DiskRegistry.openChannel(disk, true)) {
        write(ch, size, sectorSize, env);
      }
    } else {
      if (env.size() == 0) {
        throw new IllegalArgumentException(disk + " does not exist: create=" + env.create()
            + " needs a size to create it");
      }
      try (SeekableByteChannel ch = Files.newByteChannel(disk, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        write(ch, env.size(), sectorSize, env);
      }
    }
  }

  private static void write(SeekableByteChannel ch, long size, int sectorSize, PartitionEnv env)
      throws IOException {
    if (env.create().equals("gpt")) {
      PartitionTables.createGpt(ch, size, sectorSize, env.partitions());
    } else {
      PartitionTables.createMbr(ch, size, sectorSize, env.partitions());
    }
  }
}
