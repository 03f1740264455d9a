package io.github.qcow2nio.examples;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link ImageInfo} as the JSON objects of {@code qemu-img info --output=json}.
 *
 * <p>Member order follows what qemu-img 7.2 prints (its dictionaries come out in hash order, not
 * in declaration order), so that the two outputs can be compared line by line. JSON readers do not
 * care about the order.
 */
public final class InfoJson {
  private InfoJson() {}

  /** The ImageInfo object for one image. */
  public static Map<String, Object> image(ImageInfo info) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (info.backingFormat() != null) {
      m.put("backing-filename-format", info.backingFormat());
    }
    if (!info.snapshots().isEmpty()) {
      List<Object> snapshots = new ArrayList<>();
      for (ImageInfo.SnapshotInfo s : info.snapshots()) {
        snapshots.add(snapshot(s));
      }
      m.put("snapshots", snapshots);
    }
    m.put("virtual-size", info.virtualSize());
    m.put("filename", info.filename());
    if (info.clusterSize() != 0) {
      m.put("cluster-size", info.clusterSize());
    }
    m.put("format", info.format());
    if (info.actualSize() >= 0) {
      m.put("actual-size", info.actualSize());
    }
    if (info.qcow2() != null) {
      Map<String, Object> specific = new LinkedHashMap<>();
      specific.put("type", "qcow2");
      specific.put("data", qcow2(info.qcow2()));
      m.put("format-specific", specific);
    }
    if (info.backingFilename() != null) {
      m.put("full-backing-filename", info.fullBackingFilename());
    }
    if (info.encrypted()) {
      m.put("encrypted", true);
    }
    if (info.backingFilename() != null) {
      m.put("backing-filename", info.backingFilename());
    }
    m.put("dirty-flag", info.dirty());
    return m;
  }

  /** The "data" of the qcow2 "format-specific" member; the human output dumps the same map. */
  public static Map<String, Object> qcow2(ImageInfo.Qcow2Info q) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("compat", q.compat());
    m.put("compression-type", q.compressionType());
    boolean v3 = q.version() >= 3;
    if (v3) {
      m.put("lazy-refcounts", q.lazyRefcounts());
      if (!q.bitmaps().isEmpty()) {
        List<Object> bitmaps = new ArrayList<>();
        for (ImageInfo.BitmapInfo b : q.bitmaps()) {
          bitmaps.add(bitmap(b));
        }
        m.put("bitmaps", bitmaps);
      }
    }
    m.put("refcount-bits", q.refcountBits());
    if (q.hasDataFile()) {
      if (q.dataFile() != null) {
        m.put("data-file", q.dataFile());
      }
    }
    if (q.encryption() != null) {
      m.put("encrypt", encrypt(q));
    }
    if (q.hasDataFile()) {
      m.put("data-file-raw", q.dataFileRaw());
    }
    if (v3) {
      m.put("corrupt", q.corrupt());
      m.put("extended-l2", q.extendedL2());
    }
    return m;
  }

  private static Map<String, Object> encrypt(ImageInfo.Qcow2Info q) {
    Map<String, Object> m = new LinkedHashMap<>();
    ImageInfo.Luks l = q.luks();
    if (l == null) {
      m.put("format", q.encryption());
      return m;
    }
    m.put("ivgen-alg", l.ivgenAlg());
    m.put("hash-alg", l.hashAlg());
    m.put("cipher-alg", l.cipherAlg());
    m.put("uuid", l.uuid());
    if (l.ivgenHashAlg() != null) {
      m.put("ivgen-hash-alg", l.ivgenHashAlg());
    }
    m.put("format", "luks");
    m.put("cipher-mode", l.cipherMode());
    List<Object> slots = new ArrayList<>();
    for (ImageInfo.LuksSlot s : l.slots()) {
      Map<String, Object> slot = new LinkedHashMap<>();
      slot.put("active", s.active());
      if (s.active()) {
        slot.put("iters", s.iters());
      }
      slot.put("key-offset", s.keyOffset());
      if (s.active()) {
        slot.put("stripes", s.stripes());
      }
      slots.add(slot);
    }
    m.put("slots", slots);
    m.put("payload-offset", l.payloadOffset());
    m.put("master-key-iters", l.masterKeyIters());
    return m;
  }

  private static Map<String, Object> snapshot(ImageInfo.SnapshotInfo s) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (s.hasIcount()) {
      m.put("icount", s.icount());
    }
    m.put("vm-clock-nsec", s.vmClockNsec() % 1_000_000_000L);
    m.put("name", s.name());
    m.put("date-sec", s.dateSec());
    m.put("date-nsec", s.dateNsec());
    m.put("vm-clock-sec", s.vmClockNsec() / 1_000_000_000L);
    m.put("id", s.id());
    m.put("vm-state-size", s.vmStateSize());
    return m;
  }

  private static Map<String, Object> bitmap(ImageInfo.BitmapInfo b) {
    Map<String, Object> m = new LinkedHashMap<>();
    List<Object> flags = new ArrayList<>();
    if (b.inUse()) {
      flags.add("in-use");
    }
    if (b.auto()) {
      flags.add("auto");
    }
    m.put("flags", flags);
    m.put("name", b.name());
    m.put("granularity", b.granularity());
    return m;
  }
}
