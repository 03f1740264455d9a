/**
 * The guest's view of an image, exported: {@link io.github.qcow2nio.format.block.VirtualDisk}
 * (positional reads and writes at guest offsets, resize, flush, block status) and {@link
 * io.github.qcow2nio.format.block.Extent} (a run of guest bytes that share one kind of storage).
 * Implemented by the internal {@code disk} package. May import {@code struct} (for the cluster
 * type) and {@code error}.
 */
package io.github.qcow2nio.format.block;
