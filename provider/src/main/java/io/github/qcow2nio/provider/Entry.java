package io.github.qcow2nio.provider;

/**
 * A file or directory of a qcow2 file system. The tree is fixed: "/", "/disk", "/snapshots" and
 * one "/snapshots/&lt;name&gt;" per internal snapshot.
 */
record Entry(Kind kind, String snapshot) {
  enum Kind {
    ROOT, DISK, SNAPSHOTS, SNAPSHOT
  }

  static final Entry ROOT = new Entry(Kind.ROOT, null);
  static final Entry DISK = new Entry(Kind.DISK, null);
  static final Entry SNAPSHOTS = new Entry(Kind.SNAPSHOTS, null);

  static final String DISK_NAME = "disk";
  static final String SNAPSHOTS_NAME = "snapshots";

  boolean isDirectory() {
    return kind == Kind.ROOT || kind == Kind.SNAPSHOTS;
  }
}
