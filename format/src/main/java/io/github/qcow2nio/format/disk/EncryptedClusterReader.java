package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.crypto.ImageEncryption;
import io.github.qcow2nio.format.io.HostFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads guest data out of encrypted data clusters: whole 512-byte sectors around the requested
 * bytes are read and decrypted, each with the number QEMU tweaks it with (the host sector for
 * LUKS, the guest sector for legacy AES), and only the requested bytes are handed on. A data
 * cluster's host and guest offsets are both cluster-aligned, so they share their offset inside
 * a sector.
 */
final class EncryptedClusterReader {
  /** Sectors decrypted per host read: bounded scratch, one per thread, reused across reads. */
  private static final int CHUNK = 64 * 1024;

  private final HostFile data;
  private final ImageEncryption encryption;
  private final ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[CHUNK]);

  EncryptedClusterReader(HostFile data, ImageEncryption encryption) {
    this.data = data;
    this.encryption = encryption;
  }

  /**
   * {@code e}, with no host offset when {@code reader} is not null: as QEMU, the host bytes of
   * an encrypted image are not the guest's, so block status (and {@code qemu-img map}) gives
   * none for them.
   */
  static io.github.qcow2nio.format.block.Extent withoutHostOffset(
      EncryptedClusterReader reader, io.github.qcow2nio.format.block.Extent e) {
    if (reader == null || !e.hasHostOffset()) {
      return e;
    }
    return new io.github.qcow2nio.format.block.Extent(e.start(), e.length(), e.type(),
        io.github.qcow2nio.format.block.Extent.NO_HOST);
  }

  /** The data file encrypting what the write path puts there (LUKS images only). */
  HostFile encryptingFile() {
    return new EncryptingDataFile(data, encryption);
  }

  /** Puts {@code len} bytes of guest data at guest {@code guest}, stored at {@code host}. */
  void read(ByteBuffer dst, long host, long guest, int len) throws IOException {
    byte[] buf = scratch.get();
    int lead = (int) (host & (ImageEncryption.SECTOR_SIZE - 1));
    long sectorHost = host - lead;
    long sectorGuest = guest - lead;
    int remaining = len;
    int used = 0;
    try {
      while (remaining > 0) {
        int want = Math.min(CHUNK - lead, remaining);
        int span = roundUp(lead + want);
        used = Math.max(used, span);
        data.readOrZero(ByteBuffer.wrap(buf, 0, span), sectorHost);
        long sector = (encryption.usesHostOffsets() ? sectorHost : sectorGuest)
            / ImageEncryption.SECTOR_SIZE;
        encryption.decrypt(buf, 0, span, sector);
        dst.put(buf, lead, want);
        remaining -= want;
        sectorHost += span;
        sectorGuest += span;
        lead = 0;
      }
    } finally {
      // Plaintext guest data does not linger in a buffer shared by later reads of this thread.
      java.util.Arrays.fill(buf, 0, used, (byte) 0);
    }
  }

  private static int roundUp(int n) {
    return (n + ImageEncryption.SECTOR_SIZE - 1) & -ImageEncryption.SECTOR_SIZE;
  }
}
