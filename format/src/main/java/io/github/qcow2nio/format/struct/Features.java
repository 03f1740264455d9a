package io.github.qcow2nio.format.struct;

import java.util.ArrayList;
import java.util.List;

/** Feature bits of the v3 header, with the names QEMU gives them. */
public final class Features {
  private Features() {}

  public static final long INCOMPAT_DIRTY = 1L;
  public static final long INCOMPAT_CORRUPT = 1L << 1;
  public static final long INCOMPAT_DATA_FILE = 1L << 2;
  public static final long INCOMPAT_COMPRESSION = 1L << 3;
  public static final long INCOMPAT_EXTL2 = 1L << 4;
  public static final long INCOMPAT_KNOWN = 0x1FL;

  public static final long COMPAT_LAZY_REFCOUNTS = 1L;

  public static final long AUTOCLEAR_BITMAPS = 1L;
  public static final long AUTOCLEAR_DATA_FILE_RAW = 1L << 1;
  public static final long AUTOCLEAR_KNOWN = 0x3L;

  public static final int TYPE_INCOMPATIBLE = 0;
  public static final int TYPE_COMPATIBLE = 1;
  public static final int TYPE_AUTOCLEAR = 2;

  /** The eight entries QEMU writes in its feature name table. */
  public static List<FeatureNameTable.Entry> standardNames() {
    List<FeatureNameTable.Entry> e = new ArrayList<>();
    e.add(new FeatureNameTable.Entry(TYPE_INCOMPATIBLE, 0, "dirty bit"));
    e.add(new FeatureNameTable.Entry(TYPE_INCOMPATIBLE, 1, "corrupt bit"));
    e.add(new FeatureNameTable.Entry(TYPE_INCOMPATIBLE, 2, "external data file"));
    e.add(new FeatureNameTable.Entry(TYPE_INCOMPATIBLE, 3, "compression type"));
    e.add(new FeatureNameTable.Entry(TYPE_INCOMPATIBLE, 4, "extended L2 entries"));
    e.add(new FeatureNameTable.Entry(TYPE_COMPATIBLE, 0, "lazy refcounts"));
    e.add(new FeatureNameTable.Entry(TYPE_AUTOCLEAR, 0, "bitmaps"));
    e.add(new FeatureNameTable.Entry(TYPE_AUTOCLEAR, 1, "raw external data"));
    return e;
  }
}
