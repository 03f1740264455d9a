/** The {@code partition:} file-system provider: the partitions of an MBR or GPT disk as files. */
module io.github.qcow2nio.partition {
  // Transitive: the public PartitionFileSystem is a NestedFileSystem of the shared module.
  requires transitive io.github.qcow2nio.nio;

  exports io.github.qcow2nio.partition;

  provides java.nio.file.spi.FileSystemProvider
      with io.github.qcow2nio.partition.PartitionFileSystemProvider;
}
