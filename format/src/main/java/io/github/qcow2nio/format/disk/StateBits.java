package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.struct.Features;
import java.io.IOException;

/**
 * The two incompatible-feature bits the write path owns: dirty (lazy refcounts: set before the
 * first metadata change, cleared by a clean close, so that QEMU repairs refcounts after a crash)
 * and corrupt (set when the writer finds the image inconsistent, so that QEMU refuses to write
 * it until it is checked). Version 2 images have neither bit. Called under the writer's lock.
 */
final class StateBits {
  private final HeaderUpdater header;
  private final boolean v3;
  private final boolean lazyRefcounts;
  private boolean dirtySet;

  StateBits(HeaderUpdater header, boolean v2) {
    this.header = header;
    this.v3 = !v2;
    this.lazyRefcounts = header.header().hasLazyRefcounts();
    this.dirtySet = header.header().isDirty();
  }

  /** Before a metadata change: with lazy refcounts the dirty bit is written first, once. */
  void beforeMetadataChange() throws IOException {
    if (lazyRefcounts && !dirtySet && v3) {
      setIncompatible(Features.INCOMPAT_DIRTY, true);
      dirtySet = true;
    }
  }

  /** On a clean close, after everything is flushed: refcounts are exact again. */
  void clearDirty() throws IOException {
    if (dirtySet && v3) {
      setIncompatible(Features.INCOMPAT_DIRTY, false);
      dirtySet = false;
    }
  }

  /** Best effort: the corruption itself is what the caller reports. */
  void setCorrupt() {
    if (!v3) {
      return;
    }
    try {
      synchronized (this) {
        setIncompatible(Features.INCOMPAT_CORRUPT, true);
      }
    } catch (IOException ignored) {
      // The image is already unusable; failing to mark it changes nothing for the caller.
    }
  }

  private void setIncompatible(long bit, boolean on) throws IOException {
    long now = header.header().incompatibleFeatures();
    header.setIncompatibleFeatures(on ? now | bit : now & ~bit);
  }
}
