package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.StructReader;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Adds and removes the key slots of an image's LUKS1 header, as {@code qemu-img amend -o
 * encrypt.state=...} does: the same choices (first free slot, or the one named; slots named by
 * number or by the passphrase they hold), the same refusals in qemu-img 7.2's words and order,
 * and the same iteration counts ({@link Pbkdf2Timing}, scaled to {@code encrypt.iter-time}).
 * Every check is made before the first write; the writes themselves are
 * {@link LuksSlotWriter}'s, ordered so that a crash keeps every passphrase that opened the image
 * before the call.
 */
public final class LuksKeySlots {
  /** A passphrase looked up only when qemu-img would look it up (its absence is an error then). */
  @FunctionalInterface
  public interface Passphrase {
    /** A fresh array, which the caller wipes. */
    byte[] bytes() throws IOException;
  }

  /**
   * One amend of the key slots.
   *
   * @param activate {@code encrypt.state}: true for active (add), false for inactive (remove),
   *     null when not given (refused once the image is unlocked, as qemu-img refuses it)
   * @param keyslot {@code encrypt.keyslot}, or null
   * @param newSecret {@code encrypt.new-secret}, or null
   * @param oldSecret {@code encrypt.old-secret}, or null
   * @param iterTimeMs {@code encrypt.iter-time}, or null for 2000 ms (taken unsigned, as qemu)
   * @param force {@code --force}: overwrite an active slot, erase an inactive or the last one
   */
  public record Change(Boolean activate, Integer keyslot, Passphrase newSecret,
      Passphrase oldSecret, Long iterTimeMs, boolean force) {}

  private final LuksFormatter.Rate timing;
  private final SecureRandom random;

  LuksKeySlots(LuksFormatter.Rate timing, SecureRandom random) {
    this.timing = timing;
    this.random = random;
  }

  /** Timing by this thread's CPU time, as qemu-img times PBKDF2. */
  public static LuksKeySlots standard() {
    return new LuksKeySlots(Pbkdf2Timing.threadCpu()::iterationsPerSecond, new SecureRandom());
  }

  /**
   * A fixed PBKDF2 rate instead of timing this machine: reproducible counts, for tests and for
   * callers that measured the rate themselves.
   */
  public static LuksKeySlots fixedRate(long iterationsPerSecond, SecureRandom random) {
    return new LuksKeySlots((hash, password, salt, outLength) -> iterationsPerSecond, random);
  }

  /**
   * Unlocks the LUKS area at {@code areaOffset} ({@code areaLength} bytes) of {@code file} with
   * {@code key} (as qemu-img's open does, so a wrong one fails first), then makes {@code change}.
   * The caller holds the image's writer locks and wipes {@code key}.
   *
   * @param what names the image in messages
   */
  public void apply(HostFile file, long areaOffset, long areaLength, byte[] key, Change change,
      String what) throws IOException {
    StructReader area = new StructReader(file, file.size());
    LuksHeader header = LuksHeader.parse(area.read("LUKS header", areaOffset, LuksHeader.SIZE),
        areaOffset, areaLength);
    byte[] masterKey = LuksUnlock.masterKey(header, area, key, what);
    try {
      if (change.activate() == null) {
        throw new Qcow2Exception("Parameter 'state' is missing");
      }
      LuksSlotWriter writer = new LuksSlotWriter(file, header, random);
      if (change.activate()) {
        add(header, area, writer, masterKey, change, what);
      } else {
        erase(header, area, writer, change, what);
      }
    } finally {
      Secrets.wipe(masterKey);
    }
  }

  private void add(LuksHeader header, StructReader area, LuksSlotWriter writer,
      byte[] masterKey, Change c, String what) throws IOException {
    if (c.newSecret() == null) {
      throw new Qcow2Exception("'new-secret' is required to activate a keyslot");
    }
    if (c.oldSecret() != null) {
      throw new Qcow2Exception("'old-secret' must not be given when activating keyslots");
    }
    int index;
    if (c.keyslot() != null) {
      index = c.keyslot();
      if (index < 0 || index >= LuksHeader.SLOTS) {
        // qemu-img prints the number unsigned here, signed when erasing.
        throw new Qcow2Exception("Invalid keyslot " + Integer.toUnsignedString(index)
            + " specified, must be between 0 and " + (LuksHeader.SLOTS - 1));
      }
    } else {
      index = header.slots().stream().filter(s -> !s.active()).mapToInt(LuksKeySlot::index)
          .findFirst().orElseThrow(() -> new Qcow2Exception(
              "Can't add a keyslot - all keyslots are in use"));
    }
    if (!c.force() && header.slots().get(index).active()) {
      throw new Qcow2Exception("Refusing to overwrite active keyslot " + index
          + " - please erase it first");
    }
    byte[] passphrase = c.newSecret().bytes();
    byte[] salt = new byte[LuksKeySlot.SALT_SIZE];
    try {
      random.nextBytes(salt);
      LuksHash hash = header.hash(what);
      long rate = timing.perSecond(hash, passphrase, salt, header.keyBytes());
      int iterations = iterations(rate, c.iterTimeMs() == null
          ? LuksParameters.DEFAULT_ITER_TIME_MS : c.iterTimeMs(), index);
      writer.add(index, passphrase, salt, iterations, masterKey, what);
    } finally {
      Secrets.wipe(passphrase);
    }
  }

  /**
   * The slot's PBKDF2 count: {@code rate} scaled to {@code iterTimeMs} (unsigned, as qemu takes
   * it), at least {@link LuksParameters#MIN_ITERATIONS}, with qemu-img's refusals of a count
   * that overflows and this library's own ceiling.
   */
  static int iterations(long rate, long iterTimeMs, int index) throws Qcow2Exception {
    String hint = "\nFailed to write to keyslot " + index;
    if (iterTimeMs != 0
        && Long.compareUnsigned(rate, Long.divideUnsigned(-1L, iterTimeMs)) > 0) {
      throw new Qcow2Exception("PBKDF iterations " + Long.toUnsignedString(rate)
          + " too large to scale: Numerical result out of range" + hint);
    }
    long n = Long.divideUnsigned(rate * iterTimeMs, 1000);
    if (Long.compareUnsigned(n, 0xFFFF_FFFFL) > 0) {
      throw new Qcow2Exception("PBKDF iterations " + Long.toUnsignedString(n)
          + " larger than 4294967295: Numerical result out of range" + hint);
    }
    n = Math.max(n, LuksParameters.MIN_ITERATIONS);
    if (n > LuksHeader.MAX_ITERATIONS) {
      throw new Qcow2Exception("PBKDF2 iterations for key slot " + index + " would be " + n
          + ", over the " + LuksHeader.MAX_ITERATIONS + " this library opens; use a shorter "
          + "encrypt.iter-time" + hint);
    }
    return (int) n;
  }

  private static void erase(LuksHeader header, StructReader area, LuksSlotWriter writer,
      Change c, String what) throws IOException {
    if (c.newSecret() != null) {
      throw new Qcow2Exception("'new-secret' must not be given when erasing keyslots");
    }
    if (c.iterTimeMs() != null) {
      throw new Qcow2Exception("'iter-time' must not be given when erasing keyslots");
    }
    byte[] old = c.oldSecret() == null ? null : c.oldSecret().bytes();
    try {
      List<Integer> slots = erasable(header, area, old, c, what);
      writer.erase(slots);
    } finally {
      Secrets.wipe(old);
    }
  }

  /** The slots to erase, or qemu-img's refusal. */
  private static List<Integer> erasable(LuksHeader header, StructReader area, byte[] old,
      Change c, String what) throws IOException {
    long active = header.slots().stream().filter(LuksKeySlot::active).count();
    if (c.keyslot() != null) {
      int index = c.keyslot();
      if (index < 0 || index >= LuksHeader.SLOTS) {
        throw new Qcow2Exception("Invalid keyslot " + index + " specified, must be between 0 and "
            + (LuksHeader.SLOTS - 1));
      }
      LuksKeySlot slot = header.slots().get(index);
      if (old != null && !opens(header, area, slot, old, what)) {
        throw new Qcow2Exception("Given keyslot " + index
            + " doesn't contain the given old password for erase operation");
      }
      if (!c.force() && !slot.active()) {
        // The trailing space is qemu-img's.
        throw new Qcow2Exception("Given keyslot " + index + " is already erased (inactive) ");
      }
      if (!c.force() && active == 1) {
        throw new Qcow2Exception("Attempt to erase the only active keyslot " + index
            + " which will erase all the data in the image irreversibly - refusing operation");
      }
      return List.of(index);
    }
    if (old == null) {
      throw new Qcow2Exception("To erase keyslot(s), either explicit keyslot index or the "
          + "password currently contained in them must be given");
    }
    List<Integer> matching = new ArrayList<>();
    for (LuksKeySlot slot : header.slots()) {
      if (opens(header, area, slot, old, what)) {
        matching.add(slot.index());
      }
    }
    if (matching.isEmpty()) {
      throw new Qcow2Exception("No keyslots match given (old) password for erase operation");
    }
    if (!c.force() && matching.size() == active) {
      throw new Qcow2Exception("All the active keyslots match the (old) password that was given "
          + "and erasing them will erase all the data in the image irreversibly - refusing "
          + "operation");
    }
    return matching;
  }

  private static boolean opens(LuksHeader header, StructReader area, LuksKeySlot slot,
      byte[] passphrase, String what) throws IOException {
    byte[] key = LuksUnlock.slotKey(header, area, slot, passphrase, what);
    Secrets.wipe(key);
    return key != null;
  }
}
