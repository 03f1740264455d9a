package io.github.qcow2nio.format.struct;

/** What a guest cluster or subcluster holds, as QEMU classifies L2 entries. */
public enum ClusterType {
  /** Not allocated here: reads from the backing disk, or zeros. */
  UNALLOCATED,
  /** Reads as zeros; a host cluster may still be reserved for it. */
  ZERO,
  /** Data at a host offset. */
  NORMAL,
  /** Compressed data at a byte offset, one whole cluster. */
  COMPRESSED
}
