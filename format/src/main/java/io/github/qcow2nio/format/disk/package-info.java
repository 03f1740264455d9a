/**
 * The virtual disk behind {@code block.VirtualDisk} (internal, not exported): reads and writes
 * at guest offsets over the L1/L2 tables ({@code Qcow2Disk}, {@code RawDisk}), the read path's
 * units ({@code L2Mapping}, {@code CompressedClusterReader} with its {@code ReadAhead}, which
 * decompresses ahead of sequential readers on a pool of its own, {@code EncryptedClusterReader},
 * and for LUKS writes {@code EncryptingDataFile},
 * {@code BlockStatus}), the write path behind {@code Qcow2DiskWriter} (see format/WRITE-PATH.md),
 * copy-on-write from backing disks, external data files, subclusters; the snapshot and
 * persistent-bitmap sets' crash-safe changes ({@code SnapshotStore}, {@code BitmapStore}). May
 * import {@code block}, {@code meta}, {@code struct}, {@code codec}, {@code crypto}, {@code io}
 * and {@code error}; never the top package.
 */
package io.github.qcow2nio.format.disk;
