/**
 * Metadata kept while an image is open (internal, not exported): the L2 table cache, refcounts
 * and the cluster allocator underneath them ({@code RefcountManager} over {@code
 * RefcountBlockCache}, growing its table with {@code RefcountTableGrowth}), in-place header
 * updates, refcount repair of dirty images, persistent dirty bitmaps. May import {@code struct},
 * {@code io} and {@code error}.
 */
package io.github.qcow2nio.format.meta;
