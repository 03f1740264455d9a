package io.github.qcow2nio.format.io;

/**
 * The block-layer permissions an open holds on one file and the ones it refuses to share with
 * anybody else, as QEMU 7.2 records them in byte-range locks on the file: a shared one-byte lock at
 * {@code 100 + i} for each permission {@code i} held, and at {@code 200 + i} for each permission
 * not shared. Permission numbers are QEMU's: 0 consistent read, 1 write, 2 write unchanged,
 * 3 resize.
 *
 * <p>The factories give what QEMU 7.2 was observed to lock (in {@code /proc/locks}) for the same
 * kind of open; see format/LOCKING.md for the table:
 *
 * <pre>
 * open                      image file           qcow2 backing   raw backing   data file
 * read-write                100 101 103 201 203  100 201 203     100           100 101 103 203
 * read-only                 100 201 203          100 201 203     100           100 203
 * read-only, force-share    100                  100             100           100
 * being created             101 103 203
 * </pre>
 *
 * @param held bit {@code 1 << i} set for each permission held
 * @param unshared bit {@code 1 << i} set for each permission refused to others
 */
public record LockPermissions(int held, int unshared) {
  public static final int CONSISTENT_READ = 0;
  public static final int WRITE = 1;
  public static final int WRITE_UNCHANGED = 2;
  public static final int RESIZE = 3;

  /** How many permissions QEMU 7.2 locks; bytes 100..103 and 200..203. */
  public static final int COUNT = 4;
  public static final int HELD_BASE = 100;
  public static final int UNSHARED_BASE = 200;

  private static final String[] NAMES = {"consistent read", "write", "write unchanged", "resize"};

  private static final int CR = 1 << CONSISTENT_READ;
  private static final int W = 1 << WRITE;
  private static final int RS = 1 << RESIZE;

  public LockPermissions {
    int all = (1 << COUNT) - 1;
    if ((held & ~all) != 0 || (unshared & ~all) != 0) {
      throw new IllegalArgumentException("permissions " + held + "/" + unshared);
    }
  }

  /**
   * An image file opened by its user: read-write as {@code qemu-io} (a VM's disk), read-only as
   * {@code qemu-img convert} or {@code qemu-io -r}, and with force-share as {@code -U}, which
   * refuses nothing. The same holds for a qcow2 backing file, which is always read-only.
   */
  public static LockPermissions image(boolean writable, boolean forceShare) {
    if (forceShare) {
      checkForceShare(writable);
      return new LockPermissions(CR, 0);
    }
    return writable ? new LockPermissions(CR | W | RS, W | RS) : new LockPermissions(CR, W | RS);
  }

  /** An external data file: like its image, except that another writer is allowed. */
  public static LockPermissions dataFile(boolean writable, boolean forceShare) {
    if (forceShare) {
      checkForceShare(writable);
      return new LockPermissions(CR, 0);
    }
    return writable ? new LockPermissions(CR | W | RS, RS) : new LockPermissions(CR, RS);
  }

  /**
   * A file being created or emptied by {@code qemu-img create} (bytes 101 103 203): writing and
   * resizing, and nobody else resizing. An image some program has open refuses it.
   */
  public static LockPermissions create() {
    return new LockPermissions(W | RS, RS);
  }

  /** A raw backing file: read, and everything shared (QEMU's raw driver below an overlay). */
  public static LockPermissions rawBacking() {
    return new LockPermissions(CR, 0);
  }

  private static void checkForceShare(boolean writable) {
    if (writable) {
      throw new IllegalArgumentException("force-share=on can only be used with read-only images");
    }
  }

  public boolean holds(int permission) {
    return (held & (1 << permission)) != 0;
  }

  public boolean refuses(int permission) {
    return (unshared & (1 << permission)) != 0;
  }

  /** QEMU's name of permission {@code i}, as its messages print it. */
  public static String name(int permission) {
    return NAMES[permission];
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("locks [");
    String sep = "";
    for (int i = 0; i < COUNT; i++) {
      if (holds(i)) {
        sb.append(sep).append(HELD_BASE + i);
        sep = " ";
      }
    }
    for (int i = 0; i < COUNT; i++) {
      if (refuses(i)) {
        sb.append(sep).append(UNSHARED_BASE + i);
        sep = " ";
      }
    }
    return sb.append(']').toString();
  }
}
