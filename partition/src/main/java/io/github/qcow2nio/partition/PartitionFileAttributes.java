package io.github.qcow2nio.partition;

import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The attributes of "/" (the table) or "/N" (a partition and its table). Times are the disk
 * file's: every entry changes when the disk does.
 */
public final class PartitionFileAttributes implements BasicFileAttributes {
  private static final String BASIC = "size,lastModifiedTime,lastAccessTime,creationTime,"
      + "isRegularFile,isDirectory,isSymbolicLink,isOther,fileKey";

  private final PartitionTable table;
  private final Partition partition;
  private final FileTime modified;
  private final FileTime accessed;
  private final FileTime created;

  PartitionFileAttributes(PartitionTable table, Partition partition, FileTime modified,
      FileTime accessed, FileTime created) {
    this.table = table;
    this.partition = partition;
    this.modified = modified;
    this.accessed = accessed;
    this.created = created;
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
  public boolean isRegularFile() {
    return partition != null;
  }

  @Override
  public boolean isDirectory() {
    return partition == null;
  }

  @Override
  public boolean isSymbolicLink() {
    return false;
  }

  @Override
  public boolean isOther() {
    return false;
  }

  /** The partition's size in bytes; 0 for "/". */
  @Override
  public long size() {
    return partition == null ? 0 : partition.size();
  }

  @Override
  public Object fileKey() {
    return null;
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
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("size", size());
    m.put("lastModifiedTime", modified);
    m.put("lastAccessTime", accessed);
    m.put("creationTime", created);
    m.put("isRegularFile", isRegularFile());
    m.put("isDirectory", isDirectory());
    m.put("isSymbolicLink", false);
    m.put("isOther", false);
    m.put("fileKey", null);
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
    if (names.equals("*")) {
      return m;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (String n : names.split(",")) {
      String name = n.trim();
      if (name.equals("*")) {
        out.putAll(m);
      } else if (m.containsKey(name)) {
        out.put(name, m.get(name));
      } else {
        throw new IllegalArgumentException("no attribute '" + name + "' in view '"
            + (all ? PartitionFileAttributeView.NAME : "basic") + "'; it has "
            + (all ? m.keySet() : BASIC));
      }
    }
    return out;
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
