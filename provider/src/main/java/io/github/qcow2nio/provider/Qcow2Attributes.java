package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import io.github.qcow2nio.nio.NamedAttributes;
import io.github.qcow2nio.nio.NamedAttributes.HostTimes;
import io.github.qcow2nio.nio.PlainFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
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
    SnapshotEntry snapshot) implements Qcow2FileAttributes, PlainFileAttributes {

  static final List<String> BASIC = List.of("lastModifiedTime", "lastAccessTime", "creationTime",
      "size", "isRegularFile", "isDirectory", "isSymbolicLink", "isOther", "fileKey");
  static final List<String> QCOW2 = List.of("virtualSize", "clusterSize", "version",
      "compressionType", "backingFile", "backingFormat", "dataFile", "extendedL2", "lazyRefcounts",
      "refcountBits", "dirty", "corrupt", "snapshots");
  /** The qcow2 view's attributes of a snapshot's file alone: its entry in the snapshot table. */
  static final List<String> SNAPSHOT = List.of("id", "date", "vmClock", "vmStateSize",
      "diskSize");

  static Qcow2Attributes of(Entry entry, long size, long virtualSize, Qcow2Image image,
      HostTimes times) {
    Header h = image.header();
    return new Qcow2Attributes(entry, size, times.modified(), times.accessed(), times.created(),
        virtualSize,
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
  public boolean isDirectory() {
    return entry.isDirectory();
  }

  /** The named attributes ("*" for all) of the basic view, or of the qcow2 view and basic. */
  Map<String, Object> toMap(boolean qcow2View, String names) {
    Map<String, Object> all = NamedAttributes.basic(this);
    if (qcow2View) {
      all.put("virtualSize", virtualSize);
      all.put("clusterSize", clusterSize);
      all.put("version", version);
      all.put("compressionType", compressionType);
      all.put("backingFile", backingFile);
      all.put("backingFormat", backingFormat);
      all.put("dataFile", dataFile);
      all.put("extendedL2", extendedL2);
      all.put("lazyRefcounts", lazyRefcounts);
      all.put("refcountBits", refcountBits);
      all.put("dirty", dirty);
      all.put("corrupt", corrupt);
      all.put("snapshots", snapshots);
      if (snapshot != null) {
        all.put("id", id());
        all.put("date", date());
        all.put("vmClock", vmClock());
        all.put("vmStateSize", vmStateSize());
        all.put("diskSize", diskSize());
      }
    }
    return NamedAttributes.select(all, names, n -> qcow2View && SNAPSHOT.contains(n)
        ? new IllegalArgumentException("'" + n + "' is an attribute of snapshots only "
            + "(/snapshots/NAME)")
        : new IllegalArgumentException("no attribute '" + n + "' in the "
            + (qcow2View ? "qcow2" : "basic") + " view; it has " + BASIC
            + (qcow2View ? " and " + QCOW2 : "")));
  }
}
