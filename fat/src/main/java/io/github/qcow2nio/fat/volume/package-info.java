/**
 * The FAT volume itself, not exported: on-disk structures as immutable records (boot sector,
 * FSInfo, directory entries, long-name entries), the file allocation table, directories, the
 * open files' shared handles, file data and formatting layout, all over a positional byte device.
 *
 * <p>It knows nothing of java.nio.file file systems or paths: names arrive as arrays of strings
 * from the root. It speaks the JDK's file exceptions ({@code NoSuchFileException},
 * {@code DirectoryNotEmptyException}...) so that the provider need not translate them. It may
 * import, from the public package, only {@link io.github.qcow2nio.fat.FatException},
 * {@link io.github.qcow2nio.fat.FatType} and {@link io.github.qcow2nio.fat.FormatOptions}, the
 * types its results and errors are stated in.
 */
package io.github.qcow2nio.fat.volume;
