package io.github.qcow2nio.examples;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** {@link ImageInfo} in the layout of {@code qemu-img info}'s human output (qemu-img 7.2). */
public final class InfoText {
  private static final String INDENT = "    ";
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final ZoneId zone;

  /** @param zone the time zone snapshot dates are shown in (qemu-img uses local time) */
  public InfoText(ZoneId zone) {
    this.zone = zone;
  }

  public String format(ImageInfo info) {
    StringBuilder sb = new StringBuilder();
    line(sb, "image: " + info.filename());
    line(sb, "file format: " + info.format());
    line(sb, "virtual size: " + SizeFormat.human(info.virtualSize()) + " ("
        + Long.toUnsignedString(info.virtualSize()) + " bytes)");
    line(sb, "disk size: "
        + (info.actualSize() >= 0 ? SizeFormat.human(info.actualSize()) : "unavailable"));
    if (info.encrypted()) {
      line(sb, "encrypted: yes");
    }
    if (info.clusterSize() != 0) {
      line(sb, "cluster_size: " + info.clusterSize());
    }
    if (info.dirty()) {
      line(sb, "cleanly shut down: no");
    }
    if (info.backingFilename() != null) {
      String actual = info.fullBackingFilename().equals(info.backingFilename())
          ? "" : " (actual path: " + info.fullBackingFilename() + ")";
      line(sb, "backing file: " + info.backingFilename() + actual);
      if (info.backingFormat() != null) {
        line(sb, "backing file format: " + info.backingFormat());
      }
    }
    sb.append(snapshotList(info.snapshots()));
    if (info.qcow2() != null) {
      line(sb, "Format specific information:");
      dump(sb, InfoJson.qcow2(info.qcow2()), 1);
    }
    return sb.toString();
  }

  /**
   * The snapshot table, as {@code qemu-img info} and {@code qemu-img snapshot -l} print it:
   * nothing when there are no snapshots.
   */
  public String snapshotList(List<ImageInfo.SnapshotInfo> snapshots) {
    StringBuilder sb = new StringBuilder();
    if (!snapshots.isEmpty()) {
      line(sb, "Snapshot list:");
      line(sb, String.format("%-10s%-17s%8s%20s%13s%11s",
          "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK", "ICOUNT"));
      for (ImageInfo.SnapshotInfo s : snapshots) {
        line(sb, snapshotRow(s));
      }
    }
    return sb.toString();
  }

  /** The images of a backing chain, one block each, separated by an empty line. */
  public String format(List<ImageInfo> chain) {
    StringBuilder sb = new StringBuilder();
    for (ImageInfo info : chain) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(format(info));
    }
    return sb.toString();
  }

  private String snapshotRow(ImageInfo.SnapshotInfo s) {
    String date = DATE.format(Instant.ofEpochSecond(s.dateSec()).atZone(zone));
    long clockSecs = s.vmClockNsec() / 1_000_000_000L;
    String clock = String.format("%02d:%02d:%02d.%03d", clockSecs / 3600, (clockSecs / 60) % 60,
        clockSecs % 60, (s.vmClockNsec() / 1_000_000) % 1000);
    String icount = s.hasIcount() ? Long.toString(s.icount()) : "";
    return padBytes(s.id(), 9) + " " + padBytes(s.name(), 16) + " "
        + String.format("%8s%20s%13s%11s", SizeFormat.human(s.vmStateSize()), date, clock, icount);
  }

  /**
   * {@code s} padded with spaces to {@code width} bytes of UTF-8: qemu-img pads with printf, which
   * counts bytes, so a name with non-ASCII characters gets fewer spaces than its length suggests.
   */
  static String padBytes(String s, int width) {
    int bytes = s.getBytes(StandardCharsets.UTF_8).length;
    return bytes >= width ? s : s + " ".repeat(width - bytes);
  }

  /** Nested maps and lists, one "key: value" per line, as qemu-img dumps format-specific data. */
  private static void dump(StringBuilder sb, Object value, int depth) {
    String indent = INDENT.repeat(depth);
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        member(sb, indent, ((String) e.getKey()).replace('-', ' '), e.getValue(), depth);
      }
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        member(sb, indent, "[" + i + "]", list.get(i), depth);
      }
    }
  }

  private static void member(StringBuilder sb, String indent, String key, Object value,
      int depth) {
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      line(sb, indent + key + ":");
      dump(sb, value, depth + 1);
    } else {
      line(sb, indent + key + ": " + value);
    }
  }

  private static void line(StringBuilder sb, String s) {
    sb.append(s).append('\n');
  }
}
