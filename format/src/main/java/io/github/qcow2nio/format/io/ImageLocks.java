package io.github.qcow2nio.format.io;

import io.github.qcow2nio.format.error.ImageLockedException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * QEMU's image locks, taken by this JVM: the one-byte shared locks of {@link LockPermissions} on
 * files of the default file system.
 *
 * <p>Why a registry per JVM: {@link FileChannel#lock} takes POSIX record locks. They conflict with
 * QEMU's open-file-description locks (verified with qemu-io 7.2 and /proc/locks), but they belong
 * to the process, not to the channel: two opens in one JVM cannot both lock a byte (the JDK throws
 * {@link OverlappingFileLockException}), and closing <em>any</em> channel of the file in this
 * process drops every lock the process holds on it. So this class keeps, per file, one lock
 * channel, a count per lock byte and the permissions of every holder; it applies QEMU's conflict
 * rules between holders of this JVM itself; and whoever closes a channel of a file (see
 * {@link FileChannelHostFile}) calls {@link #retake} so that the locks still wanted come back.
 *
 * <p>QEMU asks the kernel whether another process holds a byte (F_OFD_GETLK); Java cannot, so the
 * test is an exclusive {@code tryLock} of the byte, which fails exactly when anybody else holds
 * it, and which needs a channel open for writing. When the file cannot be opened for writing
 * (permissions, read-only mount) the locks are still taken, so that QEMU sees us, but other
 * processes' locks go unseen. Between the test and our own lock on the same byte lies a window of
 * microseconds, where QEMU has none.
 */
final class ImageLocks {
  private static final Map<Object, Entry> FILES = new HashMap<>();
  private static final int SHARED_LOCK_TRIES = 200;
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");

  private ImageLocks() {}

  /** A held set of permissions on one file; closing it gives them back. */
  public static final class Lock implements Closeable {
    private final Entry entry;
    private final LockPermissions permissions;
    private boolean released;

    private Lock(Entry entry, LockPermissions permissions) {
      this.entry = entry;
      this.permissions = permissions;
    }

    public LockPermissions permissions() {
      return permissions;
    }

    /** The registry key of the file: its file key (device and inode) or real path. */
    public Object file() {
      return entry.key;
    }

    @Override
    public void close() throws IOException {
      // An interrupted closer must not have the lock channel closed under it by the JDK.
      boolean interrupted = Thread.interrupted();
      try {
        synchronized (FILES) {
          if (released) {
            return;
          }
          released = true;
          entry.release(this);
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * The key under which {@code path} is registered, or null when the file cannot be locked across
   * processes (any provider but the default one: jimfs, zip, a qcow2 disk...).
   */
  public static Object keyOf(Path path) throws IOException {
    if (path.getFileSystem() != FileSystems.getDefault() || WINDOWS) {
      // Windows' byte-range locks are mandatory: our own reads of the header would fail.
      return null;
    }
    Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    return key != null ? key : path.toRealPath();
  }

  /**
   * Takes {@code permissions} on the file at {@code path} (registered under {@code key}), after
   * checking, as QEMU does, that nobody else holds a permission we refuse or refuses one we hold.
   *
   * @param name the file's name for the message, as QEMU's "[NAME]"
   * @throws ImageLockedException on a conflict, in QEMU's words
   */
  public static Lock acquire(Path path, Object key, LockPermissions permissions, String name)
      throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      synchronized (FILES) {
        Entry e = FILES.get(key);
        boolean fresh = e == null;
        if (fresh) {
          e = new Entry(key, path);
          FILES.put(key, e);
        }
        try {
          return e.acquire(permissions, name);
        } finally {
          if (e.holders.isEmpty()) {
            e.dispose();
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Takes again every lock this JVM wants on the file registered under {@code key}: to be called
   * after any channel of that file was closed in this process (a close, or an interrupt).
   */
  public static void retake(Object key) throws IOException {
    if (key == null) {
      return;
    }
    boolean interrupted = Thread.interrupted();
    try {
      synchronized (FILES) {
        Entry e = FILES.get(key);
        if (e != null) {
          e.retakeAll();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One file's locks in this JVM. Guarded by FILES. */
  private static final class Entry {
    static final int SLOTS = 2 * LockPermissions.COUNT;

    final Object key;
    final Path path;
    final int[] counts = new int[SLOTS];
    final FileLock[] locks = new FileLock[SLOTS];
    final List<Lock> holders = new ArrayList<>();
    FileChannel channel;
    boolean canTest;

    Entry(Object key, Path path) {
      this.key = key;
      this.path = path;
    }

    /** Slot b is byte 100+b for b < 4 and byte 200+(b-4) after. */
    static int offset(int slot) {
      return slot < LockPermissions.COUNT ? LockPermissions.HELD_BASE + slot
          : LockPermissions.UNSHARED_BASE + slot - LockPermissions.COUNT;
    }

    private void openChannel() throws IOException {
      try {
        channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        canTest = true;
      } catch (FileSystemException e) {
        // A file we may only read: lock it all the same (QEMU then sees us), test nothing.
        channel = FileChannel.open(path, StandardOpenOption.READ);
        canTest = false;
      }
    }

    private FileChannel channel() throws IOException {
      if (channel == null || !channel.isOpen()) {
        openChannel();
        // A new channel has none of the old one's locks (its close dropped them all).
        for (int b = 0; b < SLOTS; b++) {
          locks[b] = counts[b] > 0 ? lockShared(b, path.toString()) : null;
        }
      }
      return channel;
    }

    Lock acquire(LockPermissions p, String name) throws IOException {
      channel();
      List<FileLock> tests = new ArrayList<>();
      try {
        // QEMU's order: every held permission's 200+i first, then every refused one's 100+i.
        for (int i = 0; i < LockPermissions.COUNT; i++) {
          if (p.holds(i) && !free(LockPermissions.COUNT + i, tests)) {
            throw conflict("Failed to get \"" + LockPermissions.name(i) + "\" lock", name);
          }
        }
        for (int i = 0; i < LockPermissions.COUNT; i++) {
          if (p.refuses(i) && !free(i, tests)) {
            throw conflict("Failed to get shared \"" + LockPermissions.name(i) + "\" lock", name);
          }
        }
        // While the tests' exclusive locks still keep others out, take our other bytes.
        for (int b = 0; b < SLOTS; b++) {
          if (wants(p, b) && counts[b] == 0 && !tested(tests, b)) {
            locks[b] = lockShared(b, name);
          }
        }
      } catch (IOException | RuntimeException ex) {
        for (int b = 0; b < SLOTS; b++) {
          if (counts[b] == 0 && locks[b] != null) {
            releaseQuietly(locks[b]);
            locks[b] = null;
          }
        }
        for (FileLock t : tests) {
          releaseQuietly(t);
        }
        throw ex;
      }
      for (FileLock t : tests) {
        t.release();
      }
      try {
        for (int b = 0; b < SLOTS; b++) {
          if (wants(p, b) && counts[b] == 0 && locks[b] == null) {
            locks[b] = lockShared(b, name);
          }
        }
      } catch (IOException | RuntimeException ex) {
        for (int b = 0; b < SLOTS; b++) {
          if (counts[b] == 0 && locks[b] != null) {
            releaseQuietly(locks[b]);
            locks[b] = null;
          }
        }
        throw ex;
      }
      for (int b = 0; b < SLOTS; b++) {
        if (wants(p, b)) {
          counts[b]++;
        }
      }
      Lock lock = new Lock(this, p);
      holders.add(lock);
      return lock;
    }

    private static boolean wants(LockPermissions p, int slot) {
      return slot < LockPermissions.COUNT ? p.holds(slot) : p.refuses(slot - LockPermissions.COUNT);
    }

    private static boolean tested(List<FileLock> tests, int slot) {
      for (FileLock t : tests) {
        if (t.position() == offset(slot)) {
          return true;
        }
      }
      return false;
    }

    /** True when nobody but us holds the byte; its test lock stays in {@code tests}. */
    private boolean free(int slot, List<FileLock> tests) throws IOException {
      if (counts[slot] > 0) {
        return false; // another open in this JVM
      }
      if (!canTest || tested(tests, slot)) {
        return true;
      }
      FileLock t = channel.tryLock(offset(slot), 1, false);
      if (t == null) {
        return false;
      }
      tests.add(t);
      return true;
    }

    /**
     * A shared lock fails only while someone holds the byte exclusively: another program of ours
     * testing it for a moment. Wait that out, within bounds.
     */
    private FileLock lockShared(int slot, String name) throws IOException {
      for (int i = 0; i < SHARED_LOCK_TRIES; i++) {
        FileLock l = channel.tryLock(offset(slot), 1, true);
        if (l != null) {
          return l;
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      throw conflict("Failed to lock byte " + offset(slot), name);
    }

    void release(Lock lock) throws IOException {
      holders.remove(lock);
      for (int b = 0; b < SLOTS; b++) {
        if (wants(lock.permissions, b) && --counts[b] == 0 && locks[b] != null) {
          releaseQuietly(locks[b]);
          locks[b] = null;
        }
      }
      if (holders.isEmpty()) {
        dispose();
      } else {
        // The holder's own channel was closed just before: the others' locks went with it.
        retakeAll();
      }
    }

    void retakeAll() throws IOException {
      if (holders.isEmpty()) {
        return;
      }
      channel();
      for (int b = 0; b < SLOTS; b++) {
        if (counts[b] > 0) {
          if (locks[b] != null) {
            // The kernel may have dropped it already; the JDK still lists it until released.
            releaseQuietly(locks[b]);
          }
          locks[b] = lockShared(b, path.toString());
        }
      }
    }

    void dispose() {
      FILES.remove(key, this);
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException ignored) {
        // Closing drops what locks remain; nothing else to do.
      }
    }

    private static void releaseQuietly(FileLock l) {
      try {
        if (l.channel().isOpen()) {
          l.release();
        }
      } catch (IOException ignored) {
        // The lock is gone either way.
      }
    }

    private static ImageLockedException conflict(String what, String name) {
      return new ImageLockedException(name,
          what + "\nIs another process using the image [" + name + "]?");
    }
  }
}
