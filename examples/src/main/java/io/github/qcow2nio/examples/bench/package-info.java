/** Benchmarks that print ratios against raw I/O and qemu-img measured in one run. */
package io.github.qcow2nio.examples.bench;
