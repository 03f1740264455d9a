package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.error.Qcow2Exception;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Makes the LUKS1 area of a new encrypted qcow2 image as qemu-img 7.2 lays it out: the 592-byte
 * header padded to 4096 bytes, eight key-slot material areas each rounded up to 4096 bytes (only
 * slot 0 active), the payload offset right after the last, and the whole area zero outside the
 * header and slot 0's material. Iteration counts are measured as qemu-img measures them
 * ({@link Pbkdf2Timing}): the master key digest gets an eighth of the iteration time, key slot 0
 * all of it, each at least {@link LuksParameters#MIN_ITERATIONS}.
 */
public final class LuksFormatter {
  /** Key material is aligned to this many bytes, as QEMU and cryptsetup align it. */
  static final int ALIGNMENT = 4096;
  private static final int SECTOR = 512;
  private static final int SALT = LuksKeySlot.SALT_SIZE;

  /** PBKDF2 iterations per second for given inputs: {@link Pbkdf2Timing}, or a test's figure. */
  @FunctionalInterface
  interface Rate {
    long perSecond(LuksHash hash, byte[] password, byte[] salt, int outLength);
  }

  private final Rate timing;
  private final SecureRandom random;

  LuksFormatter(Rate timing, SecureRandom random) {
    this.timing = timing;
    this.random = random;
  }

  /**
   * The LUKS area (header and key material, {@code payload offset * 512} bytes) for a new image
   * whose passphrase is {@code passphrase} (the caller wipes it). The master key lives only
   * inside this call and is wiped before it returns.
   */
  public static byte[] format(LuksParameters options, byte[] passphrase) throws Qcow2Exception {
    return new LuksFormatter(Pbkdf2Timing.threadCpu()::iterationsPerSecond, new SecureRandom())
        .area(options.resolve(), passphrase);
  }

  /** Sectors of one key slot's material, aligned. */
  static long slotSectors(int keyBytes) {
    long sectors = ((long) keyBytes * LuksHeader.STRIPES + SECTOR - 1) / SECTOR;
    long align = ALIGNMENT / SECTOR;
    return (sectors + align - 1) / align * align;
  }

  byte[] area(LuksParameters.Resolved p, byte[] passphrase) throws Qcow2Exception {
    int keyBytes = p.cipher().keyBytes();
    LuksHash hash = p.hash();
    long headerSectors = ALIGNMENT / SECTOR;
    long slotSectors = slotSectors(keyBytes);
    long payload = headerSectors + LuksHeader.SLOTS * slotSectors;
    byte[] area = new byte[(int) (payload * SECTOR)];

    byte[] masterKey = new byte[keyBytes];
    byte[] digestSalt = new byte[SALT];
    byte[] slotSalt = new byte[SALT];
    byte[] digest = null;
    byte[] slotKey = null;
    byte[] material = null;
    try {
      random.nextBytes(masterKey);
      random.nextBytes(digestSalt);
      random.nextBytes(slotSalt);
      int digestIterations = p.forceIterations() > 0 ? p.forceIterations()
          : iterations(timing.perSecond(hash, masterKey, digestSalt,
              LuksHeader.DIGEST_SIZE), p.iterTimeMs(), 8, "master key digest");
      digest = Pbkdf2.derive(hash, masterKey, digestSalt, digestIterations,
          LuksHeader.DIGEST_SIZE);
      int slotIterations = p.forceIterations() > 0 ? p.forceIterations()
          : iterations(timing.perSecond(hash, passphrase, slotSalt, keyBytes),
              p.iterTimeMs(), 1, "key slot 0");
      slotKey = Pbkdf2.derive(hash, passphrase, slotSalt, slotIterations, keyBytes);
      material = AfSplitter.split(masterKey, LuksHeader.STRIPES, hash, random);
      p.cipher().newCipher(slotKey).encrypt(material, 0, material.length, 0);
      System.arraycopy(material, 0, area, (int) (headerSectors * SECTOR), material.length);

      List<LuksKeySlot> slots = new ArrayList<>(LuksHeader.SLOTS);
      for (int i = 0; i < LuksHeader.SLOTS; i++) {
        slots.add(new LuksKeySlot(i, i == 0, i == 0 ? slotIterations : 0,
            i == 0 ? slotSalt : new byte[SALT], headerSectors + i * slotSectors,
            LuksHeader.STRIPES));
      }
      String uuid = new UUID(random.nextLong() & ~0xF000L | 0x4000L,
          random.nextLong() & ~(3L << 62) | (1L << 63)).toString();
      LuksHeader header = new LuksHeader(0, p.cipher().cipher().name(), p.cipherMode(),
          hash.luksName(), payload, keyBytes, digest, digestSalt, digestIterations, uuid, slots);
      byte[] h = header.toBytes();
      System.arraycopy(h, 0, area, 0, h.length);
      return area;
    } finally {
      Secrets.wipe(masterKey, slotKey, material, digest);
    }
  }

  /**
   * {@code perSecond} scaled to {@code iterTimeMs} and divided by {@code share} (qemu-img gives
   * the master key digest an eighth, so that checking all eight slots' worth costs the time once),
   * at least the minimum, and no more than this library's readers accept.
   */
  static int iterations(long perSecond, long iterTimeMs, int share, String what)
      throws Qcow2Exception {
    if (perSecond > Long.MAX_VALUE / iterTimeMs) {
      throw new Qcow2Exception("PBKDF2 iterations for " + what + " overflow");
    }
    long n = Math.max(perSecond * iterTimeMs / 1000 / share, LuksParameters.MIN_ITERATIONS);
    if (n > LuksHeader.MAX_ITERATIONS) {
      throw new Qcow2Exception("PBKDF2 iterations for " + what + " would be " + n + ", over the "
          + LuksHeader.MAX_ITERATIONS + " this library opens; use a shorter encrypt.iter-time");
    }
    return (int) n;
  }
}
