/**
 * Test support: running the real tools (mkfs.ext4, debugfs, e2fsck, qemu-img) with a timeout
 * and a C locale, the source tree the tools turn into file systems, and parsers of debugfs's
 * output. May import the JDK and JUnit only.
 */
package io.github.qcow2nio.ext4.testing;
