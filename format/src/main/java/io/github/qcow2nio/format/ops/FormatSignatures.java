package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.io.HostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The signatures by which probing tools tell disk-image and partition formats apart, each at its
 * own offset. A file carrying two of them is read differently by different tools: the trick
 * behind images that pass one inspector as qcow2 and boot as something else.
 */
final class FormatSignatures {
  /** Where each signature sits and what it reads; offsets below 0 count from the file's end. */
  private record Signature(String format, long offset, byte[] bytes) {}

  private static final List<Signature> AT_START = List.of(
      ascii("qcow2", 0, "QFI\u00fb"),
      ascii("qed", 0, "QED\0"),
      ascii("vmdk", 0, "KDMV"),
      ascii("vmdk", 0, "# Disk DescriptorFile"),
      ascii("vhd", 0, "conectix"),
      ascii("vhdx", 0, "vhdxfile"),
      ascii("luks", 0, "LUKS\u00ba\u00be"),
      new Signature("vdi", 0x40, le32(0xbeda107fL)));

  private static final List<Signature> ELSEWHERE = List.of(
      new Signature("mbr", 510, new byte[] {0x55, (byte) 0xaa}),
      ascii("gpt", 512, "EFI PART"),
      ascii("gpt", 4096, "EFI PART"),
      ascii("iso9660", 0x8001, "CD001"),
      ascii("iso9660", 0x8801, "CD001"),
      ascii("iso9660", 0x9001, "CD001"),
      ascii("vhd", -512, "conectix"));

  private FormatSignatures() {}

  /** The formats whose signature the file carries: the one at its start first, once each. */
  static List<String> find(HostFile file) throws IOException {
    long size = file.size();
    List<String> found = new ArrayList<>();
    for (List<Signature> group : List.of(AT_START, ELSEWHERE)) {
      for (Signature s : group) {
        long at = s.offset() >= 0 ? s.offset() : size + s.offset();
        if (!found.contains(s.format()) && at >= 0 && at + s.bytes().length <= size
            && matches(file, at, s.bytes())) {
          found.add(s.format());
        }
      }
    }
    return found;
  }

  private static boolean matches(HostFile file, long at, byte[] expected) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(expected.length);
    while (b.hasRemaining()) {
      if (file.read(b, at + b.position()) <= 0) {
        return false;
      }
    }
    return java.util.Arrays.equals(b.array(), expected);
  }

  private static Signature ascii(String format, long offset, String text) {
    return new Signature(format, offset, text.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static byte[] le32(long v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
  }
}
