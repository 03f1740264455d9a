/**
 * Compressed clusters (internal, not exported): decompression ({@code ClusterCodec}: raw
 * deflate, QEMU's "zlib", from the JDK, or from a faster native inflater found by name on the
 * class path, {@code NativeInflaters}; zstd from the optional zstd-jni library, checked once, so
 * that an image without zstd never needs it) and compression as QEMU writes ({@code
 * ClusterCompressor}: a deflate encoder of our own, because QEMU's 4 KiB window is not available
 * from the JDK's {@code Deflater}; zstd frames). Knows nothing of images; imports only the error
 * package.
 */
package io.github.qcow2nio.format.codec;
