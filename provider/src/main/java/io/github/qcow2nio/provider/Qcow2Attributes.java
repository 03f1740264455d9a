package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A snapshot of one entry's attributes, taken when read. */
record Qcow2Attributes(
    Entry entry,
    long size,
    FileTime lastModifiedTime,
    FileTime lastAccessTime,
    FileTime creationTime,
    long virtualSize,
    int clusterSize,
    int version,
    String compressionType,
    String backingFile,
    String backingFormat,
    String dataFile,
    boolean extendedL2,
    boolean lazyRefcounts,
    int refcountBits,
    boolean dirty,
    boolean corrupt,
    List<String> snapshots,
    SnapshotEntry snapshot) implements Qcow2FileAttributes {

  static final List<String> BASIC = List.of("lastModifiedTime", "lastAccessTime", "creationTime",
      "size", "isRegularFile", "isDirectory", "isSymbolicLink", "isOther", "fileKey");
  static final List<String> QCOW2 = List.of("virtualSize", "clusterSize", "version",
      "compressionType", "backingFile", "backingFormat", "dataFile", "extendedL2", "lazyRefcounts",
      "refcountBits", "dirty", "corrupt", "snapshots");
  /** The qcow2 view's attributes of a snapshot's file alone: its entry in the snapshot table. */
  static final List<String> SNAPSHOT = List.of("id", "date", "vmClock", "vmStateSize",
      "diskSize");

  static Qcow2Attributes of(Entry entry, long size, long virtualSize, Qcow2Image image,
      FileTime modified, FileTime accessed, FileTime created) {
    Header h = image.header();
    return new Qcow2Attributes(entry, size, modified, accessed, created, virtualSize,
        h.clusterSize(), h.version(),
        h.compressionType() == Header.COMPRESSION_ZSTD ? "zstd" : "zlib",
        image.backingFile().orElse(null), image.backingFormat().orElse(null),
        image.dataFileName().orElse(null), h.hasExtendedL2(), h.hasLazyRefcounts(),
        h.refcountBits(), h.isDirty(), h.isCorrupt(),
        image.snapshots().stream().map(SnapshotEntry::name).toList(),
        entry.kind() == Entry.Kind.SNAPSHOT
            ? image.findSnapshot(entry.snapshot()).orElse(null) : null);
  }

  @Override
  public String id() {
    return snapshot == null ? null : snapshot.id();
  }

  @Override
  public FileTime date() {
    return snapshot == null ? null
        : FileTime.from(Instant.ofEpochSecond(snapshot.dateSeconds(), snapshot.dateNanos()));
  }

  @Override
  public Duration vmClock() {
    return snapshot == null ? null : Duration.ofNanos(snapshot.vmClockNanos());
  }

  @Override
  public long vmStateSize() {
    return snapshot == null ? -1 : snapshot.vmStateSize();
  }

  @Override
  public long diskSize() {
    return snapshot == null ? -1 : snapshot.diskSize() >= 0 ? snapshot.diskSize() : virtualSize;
  }

  @Override
  public boolean isRegularFile() {
    return !entry.isDirectory();
  }

  @Override
  public boolean isDirectory() {
    return entry.isDirectory();
  }

  @Override
  public boolean isSymbolicLink() {
    return false;
  }

  @Override
  public boolean isOther() {
    return false;
  }

  @Override
  public Object fileKey() {
    return null;
  }

  /** The named attributes ("*" for all) of the basic view, or of the qcow2 view and basic. */
  Map<String, Object> toMap(boolean qcow2View, String names) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String n : names.split(",")) {
      n = n.trim();
      if (n.equals("*")) {
        for (String b : BASIC) {
          m.put(b, get(b));
        }
        if (qcow2View) {
          for (String q : QCOW2) {
            m.put(q, get(q));
          }
          if (snapshot != null) {
            for (String q : SNAPSHOT) {
              m.put(q, get(q));
            }
          }
        }
      } else if (BASIC.contains(n) || (qcow2View && QCOW2.contains(n))) {
        m.put(n, get(n));
      } else if (qcow2View && SNAPSHOT.contains(n)) {
        if (snapshot == null) {
          throw new IllegalArgumentException("'" + n + "' is an attribute of snapshots only "
              + "(/snapshots/NAME)");
        }
        m.put(n, get(n));
      } else {
        throw new IllegalArgumentException("no attribute '" + n + "' in the "
            + (qcow2View ? "qcow2" : "basic") + " view; it has " + BASIC
            + (qcow2View ? " and " + QCOW2 : ""));
      }
    }
    return m;
  }

  private Object get(String name) {
    return switch (name) {
      case "lastModifiedTime" -> lastModifiedTime;
      case "lastAccessTime" -> lastAccessTime;
      case "creationTime" -> creationTime;
      case "size" -> size;
      case "isRegularFile" -> isRegularFile();
      case "isDirectory" -> isDirectory();
      case "isSymbolicLink" -> false;
      case "isOther" -> false;
      case "fileKey" -> null;
      case "virtualSize" -> virtualSize;
      case "clusterSize" -> clusterSize;
      case "version" -> version;
      case "compressionType" -> compressionType;
      case "backingFile" -> backingFile;
      case "backingFormat" -> backingFormat;
      case "dataFile" -> dataFile;
      case "extendedL2" -> extendedL2;
      case "lazyRefcounts" -> lazyRefcounts;
      case "refcountBits" -> refcountBits;
      case "dirty" -> dirty;
      case "corrupt" -> corrupt;
      case "snapshots" -> snapshots;
      case "id" -> id();
      case "date" -> date();
      case "vmClock" -> vmClock();
      case "vmStateSize" -> vmStateSize();
      case "diskSize" -> diskSize();
      default -> throw new IllegalArgumentException("no attribute '" + name + "'");
    };
  }
}
