package io.github.qcow2nio.fat.volume;

import io.github.qcow2nio.fat.FatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The slots of one directory, read whole: the fixed root region of FAT12/16 or a cluster chain.
 * Parses them into names and writes slots back; grows a chained directory by a zeroed cluster.
 * Lives for one operation under the volume's lock.
 */
final class Directory {
  /** The specification's ceiling on entries in a directory. */
  static final int MAX_SLOTS = 65536;

  private final FatVolume volume;
  private final long cluster;
  private long[] chain;
  private ByteBuffer slots;

  /** {@code cluster} 0 is the fixed root directory of FAT12/16. */
  Directory(FatVolume volume, long cluster) throws IOException {
    this.volume = volume;
    this.cluster = cluster;
    BootSector b = volume.boot();
    if (cluster == 0) {
      chain = new long[0];
      slots = ByteBuffer.allocate((int) (b.rootDirSectors() * b.bytesPerSector()));
      volume.device().readFully(b.rootDirStartSector() * b.bytesPerSector(), slots.duplicate(),
          "root directory");
    } else {
      chain = volume.fat().chain(cluster, "directory at cluster " + cluster);
      long bytes = (long) chain.length * b.clusterSize();
      if (bytes / ShortEntry.SIZE > MAX_SLOTS) {
        throw FatException.corrupt("directory at cluster " + cluster, volume.clusterOffset(cluster),
            "at most " + MAX_SLOTS + " entries, but its chain holds " + bytes / ShortEntry.SIZE);
      }
      slots = ByteBuffer.allocate((int) bytes);
      for (int i = 0; i < chain.length; i++) {
        volume.device().readFully(volume.clusterOffset(chain[i]),
            slots.slice(i * b.clusterSize(), b.clusterSize()), "directory cluster " + chain[i]);
      }
    }
  }

  long cluster() {
    return cluster;
  }

  int slotCount() {
    return slots.capacity() / ShortEntry.SIZE;
  }

  /** The names, without ".", "..", the volume label and deleted entries. */
  List<DirRecord> records() {
    List<DirRecord> out = new ArrayList<>();
    StringBuilder longName = null;
    int expect = 0;
    int checksum = -1;
    int lfnStart = -1;
    for (int i = 0; i < slotCount(); i++) {
      int off = i * ShortEntry.SIZE;
      int first = slots.get(off) & 0xff;
      if (first == 0x00) {
        break;
      }
      if (first == 0xE5) {
        longName = null;
        continue;
      }
      if (LfnEntry.isLfn(slots, off)) {
        LfnEntry l = LfnEntry.parse(slots, off);
        if ((l.order() & 0x40) != 0) {
          expect = l.order() & 0x3f;
          checksum = l.checksum();
          lfnStart = i;
          longName = (expect >= 1 && expect <= 20) ? new StringBuilder(part(l.chars())) : null;
          expect--;
        } else if (longName != null && l.order() == expect && l.checksum() == checksum) {
          longName.insert(0, part(l.chars()));
          expect--;
        } else {
          longName = null;
        }
        continue;
      }
      ShortEntry e = ShortEntry.parse(slots, off);
      boolean lfnValid = longName != null && expect == 0 && longName.length() > 0
          && LfnEntry.checksum(e.name()) == checksum && !unsafe(longName.toString());
      if (!e.isDotEntry() && !e.isVolumeLabel()) {
        String name = lfnValid ? longName.toString()
            : safe(ShortNames.display(e.name(), e.caseFlags()));
        out.add(new DirRecord(name, e, lfnValid ? lfnStart : i, i));
      }
      longName = null;
    }
    return out;
  }

  /** The volume label entry of a root directory, or null. */
  ShortEntry volumeLabel() {
    for (int i = 0; i < slotCount(); i++) {
      int off = i * ShortEntry.SIZE;
      int first = slots.get(off) & 0xff;
      if (first == 0) {
        break;
      }
      if (first != 0xE5 && !LfnEntry.isLfn(slots, off)) {
        ShortEntry e = ShortEntry.parse(slots, off);
        if (e.isVolumeLabel()) {
          return e;
        }
      }
    }
    return null;
  }

  /**
   * Whether a stored name would not name one entry as a path element ("..", a "/" or a NUL
   * would make a walk loop or escape): such long names are ignored for their short name.
   */
  private static boolean unsafe(String name) {
    return name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
        || name.indexOf('\0') >= 0;
  }

  /** A short name that is unsafe as a path element, made safe: '/' and NUL become '_'. */
  private static String safe(String name) {
    String s = name.replace('/', '_').replace('\0', '_');
    return s.isEmpty() || s.equals(".") || s.equals("..") ? "_" + s : s;
  }

  private static String part(char[] chars) {
    int n = 0;
    while (n < chars.length && chars[n] != 0) {
      n++;
    }
    return new String(chars, 0, n);
  }

  Set<String> shortNamesTaken() {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < slotCount(); i++) {
      int off = i * ShortEntry.SIZE;
      int first = slots.get(off) & 0xff;
      if (first == 0) {
        break;
      }
      if (first != 0xE5 && !LfnEntry.isLfn(slots, off)) {
        byte[] n = new byte[11];
        slots.get(off, n);
        out.add(ShortNames.key(n));
      }
    }
    return out;
  }

  /** The first of {@code count} consecutive free slots, growing a chained directory as needed. */
  int findFree(int count) throws IOException {
    int run = 0;
    for (int i = 0; i < slotCount(); i++) {
      int first = slots.get(i * ShortEntry.SIZE) & 0xff;
      if (first == 0x00 || first == 0xE5) {
        if (++run == count) {
          return i - count + 1;
        }
      } else {
        run = 0;
      }
    }
    if (cluster == 0) {
      throw new IOException("the root directory is full (" + slotCount() + " entries)");
    }
    int start = slotCount() - run;
    while (slotCount() - start < count) {
      grow();
    }
    return start;
  }

  private void grow() throws IOException {
    int cs = volume.boot().clusterSize();
    if ((slotCount() + cs / ShortEntry.SIZE) > MAX_SLOTS) {
      throw new IOException("a FAT directory holds at most " + MAX_SLOTS + " entries");
    }
    long c = volume.allocateZeroed();
    volume.fat().set(chain[chain.length - 1], c);
    volume.fat().writeDirty();
    chain = Arrays.copyOf(chain, chain.length + 1);
    chain[chain.length - 1] = c;
    ByteBuffer bigger = ByteBuffer.allocate(slots.capacity() + cs);
    bigger.put(slots.duplicate().clear());
    slots = bigger.clear();
  }

  ShortEntry entry(int slot) {
    return ShortEntry.parse(slots, slot * ShortEntry.SIZE);
  }

  /** Writes {@code entries} (32 bytes each, already serialized) from {@code slot} on. */
  void write(int slot, ByteBuffer entries) throws IOException {
    int len = entries.remaining();
    slots.put(slot * ShortEntry.SIZE, entries.duplicate(), entries.position(), len);
    BootSector b = volume.boot();
    int from = slot * ShortEntry.SIZE;
    int end = from + len;
    while (from < end) {
      long pos;
      int n;
      if (cluster == 0) {
        pos = b.rootDirStartSector() * b.bytesPerSector() + from;
        n = end - from;
      } else {
        int cs = b.clusterSize();
        pos = volume.clusterOffset(chain[from / cs]) + from % cs;
        n = Math.min(end - from, cs - from % cs);
      }
      volume.device().writeFully(pos, slots.slice(from, n));
      from += n;
    }
  }

  void writeEntry(int slot, ShortEntry e) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(ShortEntry.SIZE);
    e.serialize(b, 0);
    write(slot, b);
  }

  /** A copy of slots {@code from..to}, as stored. */
  ByteBuffer copy(int from, int to) {
    ByteBuffer b = ByteBuffer.allocate((to - from + 1) * ShortEntry.SIZE);
    b.put(0, slots, from * ShortEntry.SIZE, b.capacity());
    return b;
  }

  /** Marks slots {@code from..to} deleted (0xE5 in each first byte; the rest stays). */
  void delete(int from, int to) throws IOException {
    ByteBuffer run = copy(from, to);
    for (int i = 0; i <= to - from; i++) {
      run.put(i * ShortEntry.SIZE, (byte) 0xE5);
    }
    write(from, run);
  }
}
