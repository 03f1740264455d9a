package io.github.qcow2nio.nio;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.ClosedFileSystemException;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A file system's open/closed state and the channels and streams it handed out, because closing a
 * file system must close them all. A registration that races with close is refused and the
 * resource closed (it was never handed out), so nothing outlives the file system: the resource is
 * added before the closed flag is read, and close sets the flag before it takes the set.
 */
public final class OpenResources {
  private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;
  private volatile boolean closed;

  /** An open state with nothing handed out yet: one per file system, made when it opens. */
  public OpenResources() {}

  /** True for the one caller that closes; every later call is a no-op close. */
  public synchronized boolean markClosed() {
    if (closed) {
      return false;
    }
    closing = true;
    closed = true;
    return true;
  }

  /**
   * True for the one caller that closes, as {@link #markClosed} but in two steps: from now on
   * nothing more is registered, yet the file system still counts as open until {@link
   * #markClosed}, so that what {@link #closeAll} closes may still use it (a FAT channel opened
   * with DELETE_ON_CLOSE deletes its file as it closes).
   */
  public synchronized boolean startClosing() {
    if (closing) {
      return false;
    }
    closing = true;
    return true;
  }

  public boolean isOpen() {
    return !closed;
  }

  public void checkOpen() {
    if (closed) {
      throw new ClosedFileSystemException();
    }
  }

  public void register(Closeable c) {
    open.add(c);
    if (closing) {
      open.remove(c);
      try {
        c.close();
      } catch (IOException ignored) {
        // It was never handed out.
      }
      throw new ClosedFileSystemException();
    }
  }

  public void unregister(Closeable c) {
    open.remove(c);
  }

  public int count() {
    return open.size();
  }

  /**
   * Closes every registered resource, each even when an earlier one fails; the failures join
   * {@code failure} as {@link #add} joins them.
   */
  public IOException closeAll(IOException failure) {
    for (Closeable c : new ArrayList<>(open)) {
      try {
        c.close();
      } catch (IOException e) {
        failure = add(failure, e);
      }
    }
    return failure;
  }

  /** The first failure, with the later ones suppressed in it: the first is usually the cause. */
  public static IOException add(IOException first, IOException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }
}
