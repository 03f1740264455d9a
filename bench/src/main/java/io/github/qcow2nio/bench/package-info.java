/**
 * The speed table of issue 13: qcow2-nio against a raw {@code FileChannel} and qemu-img on the
 * same images, measured in one run on one machine ({@link io.github.qcow2nio.bench.SpeedTable}),
 * and the JMH benchmark of the hot read path. It uses only the public API of the format core
 * and of the provider (one row copies {@code /disk} with {@code transferTo}) and JMH; nothing
 * here is a library, and nothing in the other modules may import it.
 */
package io.github.qcow2nio.bench;
