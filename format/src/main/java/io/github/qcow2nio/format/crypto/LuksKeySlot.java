package io.github.qcow2nio.format.crypto;

import java.util.Arrays;

/**
 * One of the eight 48-byte key slots of a LUKS1 header: state, PBKDF2 iterations and salt, where
 * its key material starts (in 512-byte sectors from the start of the LUKS area) and how many
 * anti-forensic stripes it holds.
 */
record LuksKeySlot(int index, boolean active, int iterations, byte[] salt,
    long materialSector, int stripes) {

  static final int SIZE = 48;
  static final int SALT_SIZE = 32;
  /** The active field's two legal values. */
  static final int ENABLED = 0x00AC71F3;
  static final int DISABLED = 0x0000DEAD;

  LuksKeySlot {
    salt = salt.clone();
  }

  @Override
  public byte[] salt() {
    return salt.clone();
  }

  /** Bytes of key material: key-bytes times stripes. */
  long materialBytes(int keyBytes) {
    return (long) keyBytes * stripes;
  }

  /** Sectors the material occupies, the last one possibly partly. */
  long materialSectors(int keyBytes) {
    return (materialBytes(keyBytes) + 511) / 512;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LuksKeySlot s && s.index == index && s.active == active
        && s.iterations == iterations && Arrays.equals(s.salt, salt)
        && s.materialSector == materialSector && s.stripes == stripes;
  }

  @Override
  public int hashCode() {
    return (index * 31 + iterations) * 31 + Arrays.hashCode(salt);
  }

  @Override
  public String toString() {
    return "LuksKeySlot[" + index + (active ? " active" : " inactive") + ", iterations "
        + iterations + ", material at sector " + materialSector + ", stripes " + stripes + "]";
  }
}
