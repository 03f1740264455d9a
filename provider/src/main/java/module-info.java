/** The {@code qcow2:} file-system provider: a qcow2 image's disks as files. */
module io.github.qcow2nio.provider {
  requires transitive io.github.qcow2nio.format;

  exports io.github.qcow2nio.provider;

  provides java.nio.file.spi.FileSystemProvider
      with io.github.qcow2nio.provider.Qcow2FileSystemProvider;
}
