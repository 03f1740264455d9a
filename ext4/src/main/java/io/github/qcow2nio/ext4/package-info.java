/**
 * The public face of the read-only ext2/ext3/ext4 reader: the {@code ext4:} provider, its file
 * system, paths, file store, attribute views and exceptions. Parsing and reading live in the
 * internal packages {@code disk} (on-disk records) and {@code read} (block device, inodes, file
 * data, directories); this package may import both and the JDK only.
 */
package io.github.qcow2nio.ext4;
