/** The qcow2 format core: on-disk structures, metadata caches and the virtual-disk data path. */
module io.github.qcow2nio.format {
  // Only zstd-compressed images need zstd-jni (see codec.ClusterCodec).
  requires static com.github.luben.zstd_jni;

  exports io.github.qcow2nio.format;
  exports io.github.qcow2nio.format.codec;
  exports io.github.qcow2nio.format.disk;
  exports io.github.qcow2nio.format.error;
  exports io.github.qcow2nio.format.io;
  exports io.github.qcow2nio.format.meta;
  exports io.github.qcow2nio.format.ops;
  exports io.github.qcow2nio.format.struct;
}
