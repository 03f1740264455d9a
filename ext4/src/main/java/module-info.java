/** The {@code ext4:} file-system provider: ext2, ext3 and ext4 file systems, read-only. */
// The name is the project's contract; "ext4" is what the module holds, digit and all.
@SuppressWarnings("module")
module io.github.qcow2nio.ext4 {
  exports io.github.qcow2nio.ext4;

  provides java.nio.file.spi.FileSystemProvider
      with io.github.qcow2nio.ext4.Ext4FileSystemProvider;
}
