/**
 * The {@code qcow2:} file-system provider: an image's disks as files ({@code /disk}, {@code
 * /snapshots/NAME}), the env map, the {@code qcow2} attribute view. Built on the core's public
 * packages; knows nothing of the tool.
 */
package io.github.qcow2nio.provider;
