package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.io.HostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The writes of a key slot change, in the order that keeps an image openable through a crash at
 * any of them. Adding: the slot's key material is written and forced while the header still calls
 * the slot inactive (so nothing reads it), then the one header write names the slot. Erasing
 * (as LUKS does it): the header write drops the slots first, so no crash can leave a header that
 * names material half overwritten, then the material is overwritten with random bytes. Each
 * header write is one write of the 592-byte header, forced.
 *
 * <p>The one exception is an active slot overwritten by force: its passphrase is being replaced,
 * and a crash before the header lands loses it (the other slots still open).
 */
final class LuksSlotWriter {
  private final HostFile file;
  private final LuksHeader header;
  private final SecureRandom random;

  LuksSlotWriter(HostFile file, LuksHeader header, SecureRandom random) {
    this.file = file;
    this.header = header;
    this.random = random;
  }

  /** Makes slot {@code index} hold {@code masterKey} under {@code passphrase}. */
  void add(int index, byte[] passphrase, byte[] salt, int iterations, byte[] masterKey,
      String what) throws IOException {
    LuksKeySlot old = header.slots().get(index);
    LuksHash hash = header.hash(what);
    byte[] slotKey = null;
    byte[] material = null;
    try {
      slotKey = Pbkdf2.derive(hash, passphrase, salt, iterations, header.keyBytes());
      material = AfSplitter.split(masterKey, LuksHeader.STRIPES, hash, random);
      header.cipher(what).newCipher(slotKey).encrypt(material, 0, material.length, 0);
      file.write(ByteBuffer.wrap(material), materialOffset(old));
      file.force();
    } finally {
      Secrets.wipe(slotKey, material);
    }
    writeHeader(withSlot(header, new LuksKeySlot(index, true, iterations, salt,
        old.materialSector(), LuksHeader.STRIPES)));
  }

  /** Drops the slots {@code indexes} from the header, then overwrites their material. */
  void erase(List<Integer> indexes) throws IOException {
    LuksHeader next = header;
    for (int i : indexes) {
      LuksKeySlot s = header.slots().get(i);
      // What qemu-img leaves in an erased slot: disabled, no iterations, a zero salt.
      next = withSlot(next, new LuksKeySlot(i, false, 0, new byte[LuksKeySlot.SALT_SIZE],
          s.materialSector(), s.stripes()));
    }
    writeHeader(next);
    for (int i : indexes) {
      LuksKeySlot s = header.slots().get(i);
      byte[] garbage = new byte[(int) s.materialBytes(header.keyBytes())];
      random.nextBytes(garbage);
      file.write(ByteBuffer.wrap(garbage), materialOffset(s));
    }
    file.force();
  }

  private long materialOffset(LuksKeySlot s) {
    return header.areaOffset() + s.materialSector() * 512;
  }

  private void writeHeader(LuksHeader h) throws IOException {
    file.write(ByteBuffer.wrap(h.toBytes()), h.areaOffset());
    file.force();
  }

  private static LuksHeader withSlot(LuksHeader h, LuksKeySlot slot) {
    List<LuksKeySlot> slots = new ArrayList<>(h.slots());
    slots.set(slot.index(), slot);
    return new LuksHeader(h.areaOffset(), h.cipherName(), h.cipherMode(), h.hashSpec(),
        h.payloadSector(), h.keyBytes(), h.mkDigest(), h.mkDigestSalt(),
        h.mkDigestIterations(), h.uuid(), slots);
  }
}
