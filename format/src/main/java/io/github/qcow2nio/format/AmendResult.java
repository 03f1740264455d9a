package io.github.qcow2nio.format;

import io.github.qcow2nio.format.struct.Header;

/**
 * What {@code qemu-img amend} changed.
 *
 * @param before the image's header before the call
 * @param after its header after the call
 * @param zeroClustersExpanded zero clusters a downgrade to compat 0.10 turned into unallocated
 *     clusters or clusters of zeros (v2 has no zero flag)
 * @param refcountBlocksWritten refcount blocks written in the new width (0 when the width stayed)
 */
public record AmendResult(Header before, Header after, long zeroClustersExpanded,
    long refcountBlocksWritten) {}
