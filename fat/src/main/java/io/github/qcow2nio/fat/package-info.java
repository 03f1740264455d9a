/**
 * The public face of the FAT module: the {@code fat:} {@link java.nio.file.spi.FileSystemProvider}
 * and what it hands out (file system, paths, channels, attributes, store), the formatter
 * ({@link io.github.qcow2nio.fat.FatFormatter}) and the exception every bad volume raises
 * ({@link io.github.qcow2nio.fat.FatException}).
 *
 * <p>Owns the java.nio.file mapping only; every on-disk byte is read and written by
 * {@code io.github.qcow2nio.fat.volume}, which this package imports. It imports nothing else
 * outside the JDK.
 */
package io.github.qcow2nio.fat;
