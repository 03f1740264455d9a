/**
 * Runnable demonstrations of the providers chained through plain NIO: qcow2 image, partition
 * table, file system. Each class has a {@code main}. They use only the public API packages of the
 * qcow2, partition and fat modules (and {@code java.nio.file}); nothing here is used by the tool.
 */
package io.github.qcow2nio.examples.demo;
