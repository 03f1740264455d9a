/**
 * Test support for the partition module: running the oracle tools ({@link
 * io.github.qcow2nio.partition.testing.Tools}, with a timeout and LC_ALL=C), reading sfdisk's JSON
 * and listing a partition file system in the same terms ({@link
 * io.github.qcow2nio.partition.testing.Listing}), an in-memory plain channel and byte-level disk
 * surgery. It may import the JDK, JUnit and the module's public API.
 */
package io.github.qcow2nio.partition.testing;
