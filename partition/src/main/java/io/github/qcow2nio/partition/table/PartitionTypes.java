package io.github.qcow2nio.partition.table;

import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** The type names a {@code PartitionSpec} may use, for GPT and for MBR. */
final class PartitionTypes {
  private static final Map<String, String> GPT = Map.of(
      "linux", "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
      "efi", "C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
      "msdata", "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7",
      "basic data", "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7",
      "swap", "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F",
      "bios", "21686148-6449-6E6F-744E-656564454649");

  private static final Map<String, Integer> MBR = Map.of(
      "linux", 0x83, "swap", 0x82, "efi", 0xEF, "fat32", 0x0C, "msdata", 0x07,
      "basic data", 0x07);

  private PartitionTypes() {}

  static UUID gpt(String type) {
    String key = type.trim().toLowerCase(Locale.ROOT);
    String guid = GPT.getOrDefault(key, key);
    try {
      UUID u = UUID.fromString(guid);
      if (u.equals(Guids.ZERO) || guid.length() != 36) {
        throw new IllegalArgumentException("zero or short GUID");
      }
      return u;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("GPT partition type '" + type
          + "' is neither a GUID nor one of " + GPT.keySet(), e);
    }
  }

  static int mbr(String type) {
    String key = type.trim().toLowerCase(Locale.ROOT);
    Integer alias = MBR.get(key);
    if (alias != null) {
      return alias;
    }
    String hex = key.startsWith("0x") ? key.substring(2) : key;
    int v;
    try {
      v = Integer.parseInt(hex, 16);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("MBR partition type '" + type
          + "' is neither a hex byte nor one of " + MBR.keySet(), e);
    }
    if (v <= 0 || v > 0xFF || v == MbrEntry.PROTECTIVE || v == 0x05 || v == 0x0F || v == 0x85) {
      throw new IllegalArgumentException("MBR partition type '" + type + "' must be a byte from "
          + "0x01 to 0xFF, not empty, protective (0xEE) or extended (the writer makes those)");
    }
    return v;
  }
}
