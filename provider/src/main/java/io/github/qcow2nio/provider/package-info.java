/**
 * The {@code qcow2:} file-system provider: an image's disks as files ({@code /disk}, {@code
 * /snapshots/NAME}), the env map, the {@code qcow2} attribute view. Built on the core's public
 * packages; knows nothing of the tool.
 *
 * <p>Runtime env key {@code compress} (bool, default false; provider/README.md): whole-cluster
 * writes to unallocated clusters of {@code /disk} are stored compressed, as by QEMU's {@code
 * compress} filter ({@code io.github.qcow2nio.format.disk.CompressingDisk}); partial ones are
 * written normally; a writable open of an image with an external data file is refused.
 */
package io.github.qcow2nio.provider;
