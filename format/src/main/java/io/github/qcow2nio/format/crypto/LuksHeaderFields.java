package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.struct.StructSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of a LUKS1 header that may be shown without the passphrase (what
 * {@code qemu-img info} prints), in the header's own terms: no digest, no salt, no key material.
 * Read through {@link LuksHeader}'s checks, so a header info accepts is one an unlock parses.
 *
 * @param keyBytes the master key's length (an XTS key holds two cipher keys)
 * @param payloadSector the payload-offset field, in 512-byte sectors
 * @param slots the eight key slots, in order
 */
public record LuksHeaderFields(String cipherName, String cipherMode, String hashSpec,
    int keyBytes, long payloadSector, int mkDigestIterations, String uuid, List<Slot> slots) {

  /**
   * One key slot.
   *
   * @param materialSector where its key material starts, in 512-byte sectors from the area's
   *     start
   */
  public record Slot(boolean active, int iterations, long materialSector, int stripes) {}

  public LuksHeaderFields {
    slots = List.copyOf(slots);
  }

  /**
   * Parses the LUKS header of the area at {@code areaOffset} ({@code areaLength} bytes, from the
   * image's full-disk-encryption header extension).
   *
   * @throws IOException naming the field and its offset when the header is damaged
   */
  public static LuksHeaderFields read(StructSource image, long areaOffset, long areaLength)
      throws IOException {
    ByteBuffer b = image.read("LUKS header", areaOffset, LuksHeader.SIZE);
    LuksHeader h = LuksHeader.parse(b, areaOffset, areaLength);
    List<Slot> slots = new ArrayList<>(h.slots().size());
    for (LuksKeySlot s : h.slots()) {
      slots.add(new Slot(s.active(), s.iterations(), s.materialSector(), s.stripes()));
    }
    return new LuksHeaderFields(h.cipherName(), h.cipherMode(), h.hashSpec(), h.keyBytes(),
        h.payloadSector(), h.mkDigestIterations(), h.uuid(), slots);
  }
}
