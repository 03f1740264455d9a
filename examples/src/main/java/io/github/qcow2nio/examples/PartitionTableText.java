package io.github.qcow2nio.examples;

import io.github.qcow2nio.partition.Partition;
import io.github.qcow2nio.partition.PartitionTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A partition table as the {@code partitions} and {@code partition} commands print it: a line
 * naming the table, then one row a partition: number, first and last byte (inclusive, as
 * {@code parted unit B print} shows them), size, type (the GPT type GUID or the MBR type byte,
 * as sfdisk prints them) and GPT name.
 */
final class PartitionTableText {
  private static final String[] HEADINGS = {"Number", "Start", "End", "Size", "Type", "Name"};

  private PartitionTableText() {}

  static String format(PartitionTable t) {
    StringBuilder sb = new StringBuilder();
    sb.append(t.scheme().name().toLowerCase(Locale.ROOT)).append(" partition table, ")
        .append(t.sectorSize()).append("-byte sectors, disk identifier ").append(t.diskId())
        .append('\n');
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADINGS);
    for (Partition p : t.partitions()) {
      rows.add(new String[] {Integer.toString(p.number()), Long.toString(p.start()),
          Long.toString(p.start() + p.size() - 1), SizeFormat.human(p.size()), p.type(),
          p.name()});
    }
    int[] width = new int[HEADINGS.length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        // Numbers right-aligned as ls and parted align them; text left-aligned.
        boolean numeric = i < 3;
        String pad = " ".repeat(width[i] - r[i].length());
        line.append(numeric ? pad + r[i] : r[i] + pad).append("  ");
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    return sb.toString();
  }
}
