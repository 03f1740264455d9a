/**
 * The qcow2 core's entry points, exported: {@link io.github.qcow2nio.format.Qcow2Image} opens and creates
 * images (with their backing chains and external data files; the opening itself, and the cleanup
 * when it fails, is the package-private {@code ImageOpener}), {@link
 * io.github.qcow2nio.format.CreateOptions} and {@link io.github.qcow2nio.format.OpenOptions} say
 * how. The top layer: it may import every package of the core, and nothing outside the JDK and
 * the core (no {@code java.nio.file.FileSystem} code: that is the provider's).
 */
package io.github.qcow2nio.format;
