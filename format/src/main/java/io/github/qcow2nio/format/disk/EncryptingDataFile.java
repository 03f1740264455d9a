package io.github.qcow2nio.format.disk;

import io.github.qcow2nio.format.crypto.ImageEncryption;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ForwardingHostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The data file as the write path of a LUKS image sees it: guest data written here is encrypted
 * per 512-byte sector, each tweaked with its host sector number, on its way to the file; the
 * caller's buffer is left as it was. Writes must be whole sectors (the write path aligns partial
 * ones to sectors first, as QEMU's block layer does). Like any host file's, a write consumes
 * {@code src} (its position moves to its limit). Everything else, reads included, is the
 * underlying file's own: reads go through {@code EncryptedClusterReader}, not here.
 */
final class EncryptingDataFile implements ForwardingHostFile {
  private static final int CHUNK = 64 * 1024;
  private static final int SECTOR = ImageEncryption.SECTOR_SIZE;

  private final HostFile file;
  private final ImageEncryption encryption;
  private final ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[CHUNK]);

  EncryptingDataFile(HostFile file, ImageEncryption encryption) {
    if (!encryption.usesHostOffsets()) {
      throw new IllegalArgumentException("only LUKS images (host sector tweaks) are written");
    }
    this.file = file;
    this.encryption = encryption;
  }

  @Override
  public void write(ByteBuffer src, long position) throws IOException {
    int n = src.remaining();
    if (((position | n) & (SECTOR - 1)) != 0) {
      throw new IllegalArgumentException("encrypted write of " + n + " bytes at 0x"
          + Long.toHexString(position) + " is not whole sectors");
    }
    byte[] buf = scratch.get();
    ByteBuffer in = src.duplicate();
    int used = 0;
    try {
      for (int done = 0; done < n; ) {
        int k = Math.min(CHUNK, n - done);
        in.get(buf, 0, k);
        used = Math.max(used, k);
        long at = position + done;
        encryption.encrypt(buf, 0, k, at / SECTOR);
        file.write(ByteBuffer.wrap(buf, 0, k), at);
        done += k;
      }
      src.position(src.limit());
    } finally {
      // Only ciphertext remains, but the scratch held plaintext on the way: clear it anyway.
      Arrays.fill(buf, 0, used, (byte) 0);
    }
  }

  @Override
  public HostFile delegate() {
    return file;
  }

  @Override
  public void close() {
    // The underlying file belongs to the image.
  }
}
