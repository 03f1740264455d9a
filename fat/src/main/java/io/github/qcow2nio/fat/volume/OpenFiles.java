package io.github.qcow2nio.fat.volume;

import io.github.qcow2nio.fat.FatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The files open on a volume: one shared {@link FileHandle} per file, keyed by where its short
 * entry lives, and the writing of a handle's entry back to that slot.
 *
 * <p>Every channel on a file must see one size and one cluster chain, and a rename must carry
 * them along; so the namespace changes ask here before they move or delete an entry. Guarded by
 * the volume's monitor.
 */
final class OpenFiles {
  private final FatVolume volume;
  private final Map<Object, FileHandle> open = new HashMap<>();

  OpenFiles(FatVolume volume) {
    this.volume = volume;
  }

  /** The shared handle of the file {@code n}, its chain checked against its size. */
  FileHandle open(Node n, String shown) throws IOException {
    FileHandle h = open.get(n.key());
    if (h == null) {
      long[] chain = volume.fat().chain(n.entry().firstCluster(), "file " + shown);
      long capacity = (long) chain.length * volume.boot().clusterSize();
      if (n.entry().size() > capacity) {
        throw FatException.corrupt("directory entry of " + shown,
            volume.clusterOffset(Math.max(2, n.dirCluster())), "a size within its "
                + chain.length + " clusters (" + capacity + " bytes), got " + n.entry().size());
      }
      h = new FileHandle(n, chain);
      open.put(h.key(), h);
    }
    h.opens++;
    return h;
  }

  void close(FileHandle h) {
    if (--h.opens == 0) {
      open.remove(h.key(), h);
    }
  }

  /** The handle of the file whose short entry is {@code n}'s, or null when it is not open. */
  FileHandle get(Node n) {
    return open.get(n.key());
  }

  /** Takes {@code n}'s handle out while its entry moves; null when it is not open. */
  FileHandle remove(Node n) {
    return open.remove(n.key());
  }

  /** Files {@code h} under its (possibly new) slot. */
  void put(FileHandle h) {
    open.put(h.key(), h);
  }

  /** Writes a handle's entry back to its directory. */
  void writeEntry(FileHandle h) throws IOException {
    // Straight to the slot's bytes: a file's writes should not reread its whole directory.
    BootSector boot = volume.boot();
    long pos;
    int at = h.shortSlot * ShortEntry.SIZE;
    if (h.dirCluster == 0) {
      pos = boot.rootDirStartSector() * boot.bytesPerSector() + at;
    } else {
      long[] chain = volume.fat().chain(h.dirCluster, "directory at cluster " + h.dirCluster);
      int cs = boot.clusterSize();
      if (at / cs >= chain.length) {
        throw FatException.corrupt("directory at cluster " + h.dirCluster,
            volume.clusterOffset(h.dirCluster), "an entry " + h.shortSlot + " inside its chain");
      }
      pos = volume.clusterOffset(chain[at / cs]) + at % cs;
    }
    ByteBuffer b = ByteBuffer.allocate(ShortEntry.SIZE);
    h.entry.serialize(b, 0);
    volume.device().writeFully(pos, b);
  }
}
