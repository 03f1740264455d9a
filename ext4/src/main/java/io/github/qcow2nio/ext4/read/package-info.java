/**
 * Reading an ext2/3/4 file system from a device: positional reads over any channel, the volume
 * (superblock, group descriptors, inodes), block maps (extent trees and indirect blocks), file
 * data, directories, extended attributes and path resolution. Everything here is bounded by the
 * file system's geometry, so hostile bytes end in an {@code Ext4Exception}. May import the JDK,
 * {@code io.github.qcow2nio.ext4.disk} and the exceptions of {@code io.github.qcow2nio.ext4}.
 * Not exported.
 */
package io.github.qcow2nio.ext4.read;
