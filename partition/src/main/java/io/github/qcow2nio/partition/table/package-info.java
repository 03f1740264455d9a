/**
 * The on-disk structures of MBR and GPT partition tables and the code that reads and writes them:
 * immutable records that parse from and serialize to {@link java.nio.ByteBuffer}s (no I/O inside),
 * the readers and writers that move them through a {@link DiskAccess}, and the detection that
 * tells a partition table from a volume boot record.
 *
 * <p>Not exported. It may import the JDK and the public records and exception of
 * {@code io.github.qcow2nio.partition} (what it produces); nothing else of the project.
 */
package io.github.qcow2nio.partition.table;
