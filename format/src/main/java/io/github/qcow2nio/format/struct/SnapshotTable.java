package io.github.qcow2nio.format.struct;

import io.github.qcow2nio.format.error.CorruptImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Parses the internal snapshot table, within QEMU's limits. */
public final class SnapshotTable {
  public static final int MAX_SNAPSHOTS = 65536;
  public static final long MAX_TABLE_SIZE = 64L * 1024 * 1024;

  private SnapshotTable() {}

  /** The snapshot table {@code h} describes, its bytes taken from {@code r}. */
  public static List<SnapshotEntry> read(StructSource r, Header h) throws IOException {
    int count = h.nbSnapshots();
    long offset = h.snapshotsOffset();
    long clusterMask = h.clusterSize() - 1L;
    if ((offset & clusterMask) != 0 || offset < 0) {
      throw new CorruptImageException("snapshot table", offset,
          "offset is not a multiple of the cluster size " + h.clusterSize());
    }
    if (Integer.toUnsignedLong(count) > MAX_SNAPSHOTS) {
      throw new CorruptImageException("snapshot table", offset,
          Integer.toUnsignedString(count) + " snapshots; at most " + MAX_SNAPSHOTS);
    }
    if (count == 0) {
      return List.of();
    }
    if (offset == 0) {
      throw new CorruptImageException("snapshot table", offset,
          "nb_snapshots is " + count + " but the table would overlap the header");
    }
    List<SnapshotEntry> list = new ArrayList<>(Math.min(count, 1024));
    long p = offset;
    for (int i = 0; i < count; i++) {
      String what = "snapshot table entry " + i;
      if (p + SnapshotEntry.FIXED_SIZE - offset > MAX_TABLE_SIZE) {
        throw new CorruptImageException(what, p, "snapshot table exceeds 64 MiB");
      }
      ByteBuffer f = r.read(what, p, SnapshotEntry.FIXED_SIZE);
      long l1Offset = f.getLong(0);
      int l1Size = f.getInt(8);
      int idLen = f.getShort(12) & 0xFFFF;
      int nameLen = f.getShort(14) & 0xFFFF;
      long dateSec = Integer.toUnsignedLong(f.getInt(16));
      long dateNsec = Integer.toUnsignedLong(f.getInt(20));
      long vmClock = f.getLong(24);
      long vmState32 = Integer.toUnsignedLong(f.getInt(32));
      long extraSize = Integer.toUnsignedLong(f.getInt(36));
      if (extraSize > SnapshotEntry.MAX_EXTRA_DATA) {
        throw new CorruptImageException(what, p,
            "extra data size " + extraSize + "; at most " + SnapshotEntry.MAX_EXTRA_DATA);
      }
      long varLen = extraSize + idLen + nameLen;
      long entryLen = (SnapshotEntry.FIXED_SIZE + varLen + 7) & ~7L;
      if (p + entryLen - offset > MAX_TABLE_SIZE) {
        throw new CorruptImageException(what, p, "snapshot table exceeds 64 MiB");
      }
      ByteBuffer v = r.read(what, p + SnapshotEntry.FIXED_SIZE, (int) varLen);
      byte[] extra = new byte[(int) extraSize];
      v.get(extra);
      byte[] id = new byte[idLen];
      v.get(id);
      byte[] name = new byte[nameLen];
      v.get(name);
      ByteBuffer x = ByteBuffer.wrap(extra);
      long vmState = extraSize >= 8 ? x.getLong(0) : vmState32;
      long diskSize = extraSize >= 16 ? x.getLong(8) : -1;
      long icount = extraSize >= 24 ? x.getLong(16) : -1;
      // The snapshot's L1 offset and size are checked when the snapshot is used, as QEMU does:
      // a bad one must not keep the active disk from opening.
      list.add(new SnapshotEntry(l1Offset, l1Size,
          new String(id, StandardCharsets.UTF_8), new String(name, StandardCharsets.UTF_8),
          dateSec, dateNsec, vmClock, vmState, diskSize, icount, extra));
      p += entryLen;
    }
    return list;
  }
}
