/** The {@code fat:} file-system provider: FAT12, FAT16 and FAT32 volumes in any file. */
module io.github.qcow2nio.fat {
  exports io.github.qcow2nio.fat;

  provides java.nio.file.spi.FileSystemProvider
      with io.github.qcow2nio.fat.FatFileSystemProvider;
}
