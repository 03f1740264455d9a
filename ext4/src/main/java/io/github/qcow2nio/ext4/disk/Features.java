package io.github.qcow2nio.ext4.disk;

import io.github.qcow2nio.ext4.Ext4UnsupportedFeatureException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The three feature words of the superblock. COMPAT bits never change how to read; RO_COMPAT bits
 * only matter to a writer (this reader never writes); INCOMPAT bits change the layout, so an
 * unknown one, or one whose data this reader cannot decode, refuses the file system by name.
 */
public record Features(int compat, int incompat, int roCompat) {
  public static final int COMPAT_HAS_JOURNAL = 0x4;
  public static final int COMPAT_EXT_ATTR = 0x8;
  public static final int COMPAT_DIR_INDEX = 0x20;
  public static final int COMPAT_SPARSE_SUPER2 = 0x200;

  public static final int INCOMPAT_COMPRESSION = 0x1;
  public static final int INCOMPAT_FILETYPE = 0x2;
  public static final int INCOMPAT_RECOVER = 0x4;
  public static final int INCOMPAT_JOURNAL_DEV = 0x8;
  public static final int INCOMPAT_META_BG = 0x10;
  public static final int INCOMPAT_EXTENTS = 0x40;
  public static final int INCOMPAT_64BIT = 0x80;
  public static final int INCOMPAT_MMP = 0x100;
  public static final int INCOMPAT_FLEX_BG = 0x200;
  public static final int INCOMPAT_EA_INODE = 0x400;
  public static final int INCOMPAT_DIRDATA = 0x1000;
  public static final int INCOMPAT_CSUM_SEED = 0x2000;
  public static final int INCOMPAT_LARGEDIR = 0x4000;
  public static final int INCOMPAT_INLINE_DATA = 0x8000;
  public static final int INCOMPAT_ENCRYPT = 0x10000;
  public static final int INCOMPAT_CASEFOLD = 0x20000;

  public static final int RO_COMPAT_SPARSE_SUPER = 0x1;
  public static final int RO_COMPAT_HUGE_FILE = 0x8;
  public static final int RO_COMPAT_BIGALLOC = 0x200;
  public static final int RO_COMPAT_METADATA_CSUM = 0x400;

  /**
   * INCOMPAT bits this reader reads correctly. {@code recover} (a journal waiting for replay) is
   * read as the file system stands, without the journal's newer blocks; mmp only guards writers;
   * csum_seed only changes checksums, which are not verified; largedir only allows deeper htrees,
   * and directories are read linearly; casefold only changes how the kernel compares names, and
   * names here are compared byte for byte.
   */
  public static final int INCOMPAT_SUPPORTED = INCOMPAT_FILETYPE | INCOMPAT_RECOVER
      | INCOMPAT_META_BG | INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_MMP | INCOMPAT_FLEX_BG
      | INCOMPAT_EA_INODE | INCOMPAT_CSUM_SEED | INCOMPAT_LARGEDIR | INCOMPAT_INLINE_DATA
      | INCOMPAT_CASEFOLD;

  private static final Map<Integer, String> INCOMPAT_NAMES = names(
      INCOMPAT_COMPRESSION, "compression", INCOMPAT_FILETYPE, "filetype",
      INCOMPAT_RECOVER, "needs_recovery", INCOMPAT_JOURNAL_DEV, "journal_dev",
      INCOMPAT_META_BG, "meta_bg", INCOMPAT_EXTENTS, "extent", INCOMPAT_64BIT, "64bit",
      INCOMPAT_MMP, "mmp", INCOMPAT_FLEX_BG, "flex_bg", INCOMPAT_EA_INODE, "ea_inode",
      INCOMPAT_DIRDATA, "dirdata", INCOMPAT_CSUM_SEED, "metadata_csum_seed",
      INCOMPAT_LARGEDIR, "large_dir", INCOMPAT_INLINE_DATA, "inline_data",
      INCOMPAT_ENCRYPT, "encrypt", INCOMPAT_CASEFOLD, "casefold");

  private static Map<Integer, String> names(Object... pairs) {
    Map<Integer, String> m = new TreeMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((Integer) pairs[i], (String) pairs[i + 1]);
    }
    return m;
  }

  /** Refuses a file system with INCOMPAT bits outside {@link #INCOMPAT_SUPPORTED}, naming them. */
  public void checkReadable() throws Ext4UnsupportedFeatureException {
    int unsupported = incompat & ~INCOMPAT_SUPPORTED;
    if (unsupported != 0) {
      throw new Ext4UnsupportedFeatureException("ext4 INCOMPAT feature(s) "
          + incompatNames(unsupported) + " (0x" + Integer.toHexString(unsupported)
          + ") cannot be read; supported: " + incompatNames(INCOMPAT_SUPPORTED));
    }
  }

  /** Names as mke2fs spells them, unknown bits as hex. */
  public static List<String> incompatNames(int bits) {
    List<String> out = new ArrayList<>();
    for (int bit = 0; bit < 32; bit++) {
      int mask = 1 << bit;
      if ((bits & mask) != 0) {
        out.add(INCOMPAT_NAMES.getOrDefault(mask, "0x" + Integer.toHexString(mask)));
      }
    }
    return out;
  }

  public boolean hasJournal() {
    return (compat & COMPAT_HAS_JOURNAL) != 0;
  }

  public boolean needsRecovery() {
    return (incompat & INCOMPAT_RECOVER) != 0;
  }

  public boolean fileType() {
    return (incompat & INCOMPAT_FILETYPE) != 0;
  }

  public boolean metaBg() {
    return (incompat & INCOMPAT_META_BG) != 0;
  }

  public boolean extents() {
    return (incompat & INCOMPAT_EXTENTS) != 0;
  }

  public boolean is64Bit() {
    return (incompat & INCOMPAT_64BIT) != 0;
  }

  public boolean inlineData() {
    return (incompat & INCOMPAT_INLINE_DATA) != 0;
  }

  public boolean sparseSuper() {
    return (roCompat & RO_COMPAT_SPARSE_SUPER) != 0;
  }

  public boolean sparseSuper2() {
    return (compat & COMPAT_SPARSE_SUPER2) != 0;
  }

  public boolean hugeFile() {
    return (roCompat & RO_COMPAT_HUGE_FILE) != 0;
  }

  public boolean bigalloc() {
    return (roCompat & RO_COMPAT_BIGALLOC) != 0;
  }

  public boolean metadataCsum() {
    return (roCompat & RO_COMPAT_METADATA_CSUM) != 0;
  }

  @Override
  public String toString() {
    return "Features[compat=0x" + Integer.toHexString(compat) + ", incompat="
        + incompatNames(incompat) + ", roCompat=0x" + Integer.toHexString(roCompat) + "]";
  }
}
