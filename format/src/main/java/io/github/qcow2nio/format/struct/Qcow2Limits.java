package io.github.qcow2nio.format.struct;

/** Limits QEMU enforces, which this library enforces the same way. */
public final class Qcow2Limits {
  private Qcow2Limits() {}

  /** The L1 table may be at most 32 MiB. */
  public static final long MAX_L1_BYTES = 32L * 1024 * 1024;
  public static final long MAX_L1_ENTRIES = MAX_L1_BYTES / 8;
  /** The refcount table may be at most 8 MiB. */
  public static final long MAX_REFCOUNT_TABLE_BYTES = 8L * 1024 * 1024;
  /** Host offsets of metadata and data stay below 64 PiB. */
  public static final long MAX_HOST_OFFSET = (1L << 56) - 1;
  /** A backing chain deeper than this is refused (QEMU has no fixed limit; loops are caught). */
  public static final int DEFAULT_MAX_BACKING_DEPTH = 256;
}
