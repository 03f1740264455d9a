package io.github.qcow2nio.format.block;

import io.github.qcow2nio.format.struct.ClusterType;

/**
 * A run of guest bytes in one qcow2 layer that share a cluster type and, where they have host
 * storage, lie contiguously there: what block status reports.
 *
 * @param start guest offset of the first byte
 * @param type what the run holds in this layer; UNALLOCATED runs show the layer below
 * @param hostOffset where the run's first byte lives in the file that holds the layer's data (the
 *     image, or its external data file), or {@link #NO_HOST} when the run has no host storage of
 *     its own. NORMAL runs always have one, except in encrypted images, whose host bytes are
 *     not the guest's (as {@code qemu-img map}, which shows none there); ZERO runs have one when the clusters stay reserved
 *     (preallocated zeros); UNALLOCATED runs only as reserved but unallocated subclusters of an
 *     allocated cluster (extended L2); COMPRESSED runs never (their bytes are not the guest's).
 */
public record Extent(long start, long length, ClusterType type, long hostOffset) {
  public static final long NO_HOST = -1;

  public boolean hasHostOffset() {
    return hostOffset != NO_HOST;
  }

  public long end() {
    return start + length;
  }
}
