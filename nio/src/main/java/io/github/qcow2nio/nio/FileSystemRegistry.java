package io.github.qcow2nio.nio;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystemAlreadyExistsException;
import java.util.HashMap;
import java.util.Map;

/**
 * A provider's open file systems, one per file: by the file's identity (its real path where its
 * provider has one, whichever way it was named), because two file systems with caches of their
 * own on one file would corrupt it. One registry per provider class, held in a static field, so
 * that every instance of the provider sees the same file systems.
 *
 * @param <F> the provider's file system type
 */
public final class FileSystemRegistry<F extends NestedFileSystem<?>> {
  /** Opens a file system; null when the file holds none (nothing is registered then). */
  @FunctionalInterface
  public interface Opening<F> {
    F open() throws IOException;
  }

  /** The identity of the file a URI names, as the file systems' keys are made. */
  @FunctionalInterface
  public interface Identity {
    Object of(URI inner) throws IOException;
  }

  /** Guarded by itself. */
  private final Map<Object, F> open = new HashMap<>();
  private final String noun;
  private final Identity identity;

  /**
   * @param noun the file system in messages, with its article: "a qcow2 file system"
   * @param identity the key of the file a URI names
   */
  public FileSystemRegistry(String noun, Identity identity) {
    this.noun = noun;
    this.identity = identity;
  }

  /** The file system in messages, with its article: "a qcow2 file system". */
  public String noun() {
    return noun;
  }

  /**
   * Opens a file system on the file of {@code key} unless one is open on it: the check and the
   * opening hold the registry's lock, so two threads never both open one file. The file system
   * is registered under its own key (the file's identity may change when opening creates it).
   *
   * @param shownAs how the file is named in the {@code FileSystemAlreadyExistsException}
   */
  public F open(Object key, Object shownAs, Opening<F> opening)
      throws IOException {
    synchronized (open) {
      if (open.containsKey(key)) {
        throw new FileSystemAlreadyExistsException(noun + " is already open on " + shownAs);
      }
      F fs = opening.open();
      if (fs != null) {
        open.put(fs.key(), fs);
      }
      return fs;
    }
  }

  void remove(NestedFileSystem<?> fs) {
    synchronized (open) {
      open.remove(fs.key(), fs);
    }
  }

  /**
   * The open file system of the file at {@code inner}: first by the URI the file system reports
   * (which works even when the file's provider cannot turn its own URIs back into paths, as zipfs
   * opened from a Path cannot), then by the identity the URI names; null when none is open.
   */
  public F find(URI inner) {
    synchronized (open) {
      for (F fs : open.values()) {
        if (fs.innerUri().equals(inner)) {
          return fs;
        }
      }
      try {
        return open.get(identity.of(inner));
      } catch (IOException | RuntimeException e) {
        // A URI whose provider or file system is gone names no open file system.
        return null;
      }
    }
  }
}
