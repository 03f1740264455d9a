package io.github.qcow2nio.examples;

import java.util.List;

/**
 * What {@code info} reports about one image: the fields of qemu-img's ImageInfo that a qcow2 or
 * raw image can have.
 *
 * @param filename the name as given (or derived from the overlay's backing file name)
 * @param actualSize bytes the file occupies on the host, or -1 when unknown
 * @param clusterSize the cluster size, or 0 for formats without clusters
 * @param backingFilename as recorded in the header, or null
 * @param fullBackingFilename the backing file name combined with this image's directory
 * @param backingFormat as recorded in the header, or null
 * @param qcow2 the qcow2-specific information, or null for a raw image
 */
public record ImageInfo(
    String filename,
    String format,
    long virtualSize,
    long actualSize,
    boolean dirty,
    int clusterSize,
    String backingFilename,
    String fullBackingFilename,
    String backingFormat,
    List<SnapshotInfo> snapshots,
    Qcow2Info qcow2) {

  public ImageInfo {
    snapshots = List.copyOf(snapshots);
  }

  /** True for an encrypted qcow2 image. */
  public boolean encrypted() {
    return qcow2 != null && qcow2.encryption() != null;
  }

  /** The same information under another name (the bundled sample shows its own name). */
  public ImageInfo withFilename(String name) {
    return new ImageInfo(name, format, virtualSize, actualSize, dirty, clusterSize,
        backingFilename, fullBackingFilename, backingFormat, snapshots, qcow2);
  }

  /** One internal snapshot, with the date and VM clock split the way qemu-img reports them. */
  public record SnapshotInfo(
      String id, String name, long vmStateSize, long dateSec, long dateNsec, long vmClockNsec,
      long icount) {

    public boolean hasIcount() {
      return icount != -1;
    }
  }

  /** One persistent dirty bitmap. */
  public record BitmapInfo(String name, long granularity, boolean inUse, boolean auto) {}

  /**
   * The LUKS header of an encrypted image: ciphers by QEMU's names, offsets in bytes.
   *
   * @param ivgenHashAlg the IV generator's hash (essiv only), or null
   */
  public record Luks(String ivgenAlg, String hashAlg, String cipherAlg, String uuid,
      String ivgenHashAlg, String cipherMode, List<LuksSlot> slots, long payloadOffset,
      long masterKeyIters) {

    public Luks {
      slots = List.copyOf(slots);
    }
  }

  /** One LUKS key slot; iterations and stripes mean something only in active slots. */
  public record LuksSlot(boolean active, long iters, long keyOffset, long stripes) {}

  /**
   * The "format specific information" of a qcow2 image (qemu's ImageInfoSpecificQCow2).
   *
   * @param dataFile the external data file's name, or null
   * @param encryption "aes" or "luks", or null when the image is not encrypted
   * @param luks the LUKS header, for "luks"
   */
  public record Qcow2Info(
      int version,
      String compressionType,
      boolean lazyRefcounts,
      int refcountBits,
      boolean corrupt,
      boolean extendedL2,
      boolean hasDataFile,
      String dataFile,
      boolean dataFileRaw,
      List<BitmapInfo> bitmaps,
      String encryption,
      Luks luks) {

    public Qcow2Info {
      bitmaps = List.copyOf(bitmaps);
    }

    public String compat() {
      return version == 2 ? "0.10" : "1.1";
    }
  }
}
