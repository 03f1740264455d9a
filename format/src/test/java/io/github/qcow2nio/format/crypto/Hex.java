package io.github.qcow2nio.format.crypto;

import java.util.HexFormat;

/** Test vectors are published in hex. */
final class Hex {
  private Hex() {}

  static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
  }

  static String of(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
