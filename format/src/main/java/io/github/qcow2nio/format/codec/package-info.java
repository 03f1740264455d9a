/**
 * Decompression of compressed clusters (internal, not exported): raw deflate (QEMU's "zlib") from the JDK, zstd from the
 * optional zstd-jni library (checked once, so that an image without zstd never needs it). Knows
 * nothing of images; imports only the error package.
 */
package io.github.qcow2nio.format.codec;
