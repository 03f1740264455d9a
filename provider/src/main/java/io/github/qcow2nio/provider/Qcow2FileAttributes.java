package io.github.qcow2nio.provider;

import java.nio.file.attribute.FileTime;
import java.time.Duration;

import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * The attributes of the {@code qcow2} view: the image's header facts, alongside the basic ones.
 * {@code size()} is the size of the file read (a disk's virtual size, 0 for a directory);
 * {@code virtualSize()} is the size of that disk, or of the active disk for a directory.
 */
public interface Qcow2FileAttributes extends BasicFileAttributes {
  /** Virtual disk size in bytes. */
  long virtualSize();

  /** Cluster size in bytes. */
  int clusterSize();

  /** qcow2 version: 2 ({@code compat=0.10}) or 3 ({@code compat=1.1}). */
  int version();

  /** {@code zlib} or {@code zstd}. */
  String compressionType();

  /** The backing file's name as the header records it, or null. */
  String backingFile();

  /** The backing format recorded in the header ({@code qcow2}, {@code raw}), or null. */
  String backingFormat();

  /** The external data file's name, or null. */
  String dataFile();

  boolean extendedL2();

  boolean lazyRefcounts();

  int refcountBits();

  /** The dirty bit (lazy refcounts left unsynchronized). */
  boolean dirty();

  /** The corrupt bit. */
  boolean corrupt();

  /** The internal snapshots' names, in table order. */
  List<String> snapshots();

  /** A snapshot's ID (its table entry's); null for other files. */
  String id();

  /** When a snapshot was taken; null for other files. */
  FileTime date();

  /** The guest's run time when a snapshot was taken (0 for disk-only snapshots); null for others. */
  Duration vmClock();

  /** A snapshot's VM state size in bytes (0 for disk-only snapshots); -1 for other files. */
  long vmStateSize();

  /** The disk size a snapshot recorded (a revert restores it); -1 for other files. */
  long diskSize();
}
