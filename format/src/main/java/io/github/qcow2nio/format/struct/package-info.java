/**
 * On-disk structures as immutable values that parse from and serialize to bytes: the header and
 * its extensions (a header is built with {@code HeaderBuilder}), feature bits, L1/L2 entries, compressed descriptors, refcount blocks, the
 * snapshot table, the bitmap directory, QEMU's limits. Pure: knows no host I/O (variable-length
 * structures read through {@code StructSource}); may import {@code error} only.
 */
package io.github.qcow2nio.format.struct;
