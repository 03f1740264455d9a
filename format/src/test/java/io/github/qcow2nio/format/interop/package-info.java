/**
 * Interoperability tests of the read path against QEMU: every image here is made by qemu-img and
 * qemu-io ({@link io.github.qcow2nio.format.testing.ImageBuilder}), and every byte our reader
 * returns is compared with what {@code qemu-img convert -O raw} returns for the same image
 * ({@link io.github.qcow2nio.format.interop.QemuOracle}), read three ways by
 * {@link io.github.qcow2nio.format.testing.DiskReads}: the whole disk in one call, 12345-byte
 * chunks, and seeded random reads; then again with a two-table L2 cache from three threads.
 *
 * <p>Each configuration is one parameterized case named after it. The tests skip where qemu-img
 * is not installed. A failing random read prints its seed; rerun with
 * {@code -Dqcow2.interop.seed=N} (surefire passes system properties through) to vary or repeat
 * the reads.
 */
package io.github.qcow2nio.format.interop;
