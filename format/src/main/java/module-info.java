/** The qcow2 format core: on-disk structures, metadata caches and the virtual-disk data path. */
module io.github.qcow2nio.format {
  // Only zstd-compressed images need zstd-jni (see codec.ClusterCodec).
  requires static com.github.luben.zstd_jni;
  // LUKS creation times PBKDF2 by the thread's CPU time, as qemu-img does.
  requires java.management;

  // The public surface: the image and its options, the guest disk, errors, host I/O for images
  // outside the default file system, and the on-disk records for inspection. The metadata caches,
  // the data path, the codecs and the operations are internal: they change as the core grows.
  exports io.github.qcow2nio.format;
  exports io.github.qcow2nio.format.block;
  exports io.github.qcow2nio.format.error;
  exports io.github.qcow2nio.format.io;
  exports io.github.qcow2nio.format.struct;
  // Ciphers and hashes beyond the JDK's (twofish, serpent, cast5, ripemd160) come from an optional
  // module such as qcow2-extra-ciphers, found on the class path or the module path.
  exports io.github.qcow2nio.format.crypto.spi;

  uses io.github.qcow2nio.format.crypto.spi.LuksAlgorithmProvider;
}
