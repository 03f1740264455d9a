package io.github.qcow2nio.partition;

import io.github.qcow2nio.nio.NamedAttributes;
import io.github.qcow2nio.nio.NamedAttributes.HostTimes;
import io.github.qcow2nio.nio.PlainFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The attributes of "/" (the table) or "/N" (a partition and its table). Times are the disk
 * file's: every entry changes when the disk does.
 */
public final class PartitionFileAttributes implements PlainFileAttributes {
  private static final String BASIC = "size,lastModifiedTime,lastAccessTime,creationTime,"
      + "isRegularFile,isDirectory,isSymbolicLink,isOther,fileKey";

  private final PartitionTable table;
  private final Partition partition;
  private final FileTime modified;
  private final FileTime accessed;
  private final FileTime created;

  PartitionFileAttributes(PartitionTable table, Partition partition, HostTimes times) {
    this.table = table;
    this.partition = partition;
    this.modified = times.modified();
    this.accessed = times.accessed();
    this.created = times.created();
  }

  /** The table the file system shows. */
  public PartitionTable table() {
    return table;
  }

  /** The partition, or empty for "/". */
  public Optional<Partition> partition() {
    return Optional.ofNullable(partition);
  }

  @Override
  public FileTime lastModifiedTime() {
    return modified;
  }

  @Override
  public FileTime lastAccessTime() {
    return accessed;
  }

  @Override
  public FileTime creationTime() {
    return created;
  }

  @Override
  public boolean isDirectory() {
    return partition == null;
  }

  /** The partition's size in bytes; 0 for "/". */
  @Override
  public long size() {
    return partition == null ? 0 : partition.size();
  }

  /**
   * The attributes by name. The "partition" view has the basic ones and: {@code scheme} ("gpt",
   * "mbr"), {@code sectorSize}, {@code diskId}, {@code header} ("primary", "backup", "mbr": the
   * GPT copy that was read), {@code problems} (a list of what was wrong, such as a damaged
   * primary header); and for a partition (null for "/"): {@code number}, {@code kind} ("gpt",
   * "primary", "extended", "logical"), {@code start} and {@code size} (bytes), {@code firstLba},
   * {@code lastLba}, {@code type} (GUID or MBR hex byte, as sfdisk prints it), {@code typeGuid},
   * {@code mbrType}, {@code name}, {@code uniqueGuid}, {@code attributes} (GPT bits, or the MBR
   * boot indicator) and {@code bootable}.
   *
   * @param all the "partition" view, not only "basic"
   * @param names "*" or a comma-separated list
   */
  Map<String, Object> toMap(boolean all, String names) {
    Map<String, Object> m = NamedAttributes.basic(this);
    if (all) {
      m.put("scheme", lower(table.scheme()));
      m.put("sectorSize", table.sectorSize());
      m.put("diskId", table.diskId());
      m.put("header", lower(table.header()));
      m.put("problems", table.problems());
      Partition p = partition;
      m.put("number", p == null ? null : p.number());
      m.put("kind", p == null ? null : lower(p.kind()));
      m.put("start", p == null ? null : p.start());
      m.put("firstLba", p == null ? null : p.firstLba());
      m.put("lastLba", p == null ? null : p.lastLba());
      m.put("type", p == null ? null : p.type());
      m.put("typeGuid", p == null ? null : p.typeGuid());
      m.put("mbrType", p == null || p.mbrType() < 0 ? null : p.mbrType());
      m.put("name", p == null ? null : p.name());
      m.put("uniqueGuid", p == null ? null : p.uniqueGuid());
      m.put("attributes", p == null ? null : p.attributes());
      m.put("bootable", p == null ? null : p.bootable());
    }
    return NamedAttributes.select(m, names, name -> new IllegalArgumentException(
        "no attribute '" + name + "' in view '" + (all ? PartitionFileAttributeView.NAME
            : "basic") + "'; it has " + (all ? m.keySet() : BASIC)));
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
