/** The {@code partition:} file-system provider: the partitions of an MBR or GPT disk as files. */
module io.github.qcow2nio.partition {
  requires io.github.qcow2nio.nio;

  exports io.github.qcow2nio.partition;

  provides java.nio.file.spi.FileSystemProvider
      with io.github.qcow2nio.partition.PartitionFileSystemProvider;
}
