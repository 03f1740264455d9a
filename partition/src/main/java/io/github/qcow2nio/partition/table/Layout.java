package io.github.qcow2nio.partition.table;

import io.github.qcow2nio.partition.PartitionSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Places partitions as sfdisk and sgdisk do: each starts on a 1 MiB boundary; "the rest" ends at
 * the last 1 MiB boundary before {@code lastUsable} when one is past its start.
 */
final class Layout {
  static final long ALIGNMENT_BYTES = 1 << 20;

  private Layout() {}

  /** First and last LBA of one placed partition. */
  record Extent(long first, long last) {}

  /** The next aligned LBA at or after {@code lba}. */
  static long alignUp(long lba, int ss) {
    long a = ALIGNMENT_BYTES / ss;
    return (lba + a - 1) / a * a;
  }

  /** One extent for {@code spec} starting at or after {@code from}. */
  static Extent place(PartitionSpec spec, long from, long lastUsable, int ss, boolean alignEnd) {
    long first = alignUp(from, ss);
    long last;
    if (spec.size() == PartitionSpec.REST) {
      long a = ALIGNMENT_BYTES / ss;
      long alignedEnd = (lastUsable + 1) / a * a - 1;
      last = alignEnd && alignedEnd >= first ? alignedEnd : lastUsable;
    } else {
      if (spec.size() % ss != 0) {
        throw new IllegalArgumentException("partition size " + spec.size()
            + " is not a multiple of the sector size " + ss);
      }
      last = first + spec.size() / ss - 1;
    }
    if (last > lastUsable || last < first) {
      throw new IllegalArgumentException("partition of " + (spec.size() == PartitionSpec.REST
          ? "the rest of the disk" : spec.size() + " bytes") + " does not fit: it would start at "
          + "LBA " + first + " and the last usable LBA is " + lastUsable);
    }
    return new Extent(first, last);
  }

  static List<Extent> placeAll(List<PartitionSpec> specs, long firstUsable, long lastUsable,
      int ss, boolean alignEnd) {
    List<Extent> out = new ArrayList<>();
    long next = firstUsable;
    for (int i = 0; i < specs.size(); i++) {
      if (specs.get(i).size() == PartitionSpec.REST && i != specs.size() - 1) {
        throw new IllegalArgumentException("only the last partition can take the rest of the disk");
      }
      Extent e = place(specs.get(i), next, lastUsable, ss, alignEnd);
      out.add(e);
      next = e.last() + 1;
    }
    return out;
  }
}
