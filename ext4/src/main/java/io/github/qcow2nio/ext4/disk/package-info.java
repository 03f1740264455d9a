/**
 * On-disk structures of ext2/3/4 as immutable records: superblock, feature bits, group
 * descriptors, inodes, extent-tree nodes, directory entries and extended attributes. Each parses
 * from a little-endian {@code ByteBuffer} and checks its own fields; none does I/O. May import
 * the JDK and {@code io.github.qcow2nio.ext4} (for its exceptions) only. Not exported.
 */
package io.github.qcow2nio.ext4.disk;
