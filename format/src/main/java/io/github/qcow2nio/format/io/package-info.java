/**
 * Host I/O, exported so that images can live anywhere: {@code HostFile}, positional I/O on one file (the image, a data file, a raw backing
 * file), its adapters from {@code FileChannel} (reopened after an interrupt) and any {@code
 * SeekableByteChannel}, {@code ImageLocation} (where an image lives and how it names others),
 * {@code ReferencePolicy} (which of those names may be opened, for untrusted images) and
 * {@code StructReader}. The file locks QEMU takes stay internal. May import {@code error} and {@code struct}'s source interface only.
 */
package io.github.qcow2nio.format.io;
