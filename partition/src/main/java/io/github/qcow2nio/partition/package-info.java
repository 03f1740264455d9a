/**
 * The {@code partition:} file-system provider and the partition-table API. A partition file
 * system opens over a disk file of any provider (a raw image, a qcow2 image's {@code /disk}, a
 * file in a zip or in jimfs) and lists each partition as {@code /1}, {@code /2}, ..., a bounded
 * {@link java.nio.channels.FileChannel}; {@link io.github.qcow2nio.partition.PartitionTables}
 * reads and creates MBR and GPT tables on any channel.
 *
 * <p>Exported. It may import the JDK and {@code io.github.qcow2nio.partition.table} (the on-disk
 * structures, not exported); nothing else of the project.
 */
package io.github.qcow2nio.partition;
