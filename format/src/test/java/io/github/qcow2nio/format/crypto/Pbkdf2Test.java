package io.github.qcow2nio.format.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PBKDF2 against RFC 6070 (HMAC-SHA1; the 16777216-iteration vector is left out for time) and
 * RFC 7914 section 11 (HMAC-SHA256), plus SHA-512 and an empty password (which the JDK's
 * SecretKeySpec cannot hold) checked against Python's hashlib.pbkdf2_hmac.
 */
class Pbkdf2Test {
  static Stream<Arguments> vectors() {
    return Stream.of(
        Arguments.of(LuksHash.SHA1, "password", "salt", 1, 20,
            "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
        Arguments.of(LuksHash.SHA1, "password", "salt", 2, 20,
            "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
        Arguments.of(LuksHash.SHA1, "password", "salt", 4096, 20,
            "4b007901b765489abead49d926f721d065a429c1"),
        Arguments.of(LuksHash.SHA1, "passwordPASSWORDpassword",
            "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25,
            "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"),
        Arguments.of(LuksHash.SHA1, "pass\0word", "sa\0lt", 4096, 16,
            "56fa6aa75548099dcc37d7f03425e0c3"),
        Arguments.of(LuksHash.SHA256, "passwd", "salt", 1, 64,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"),
        Arguments.of(LuksHash.SHA256, "", "salt", 3, 32,
            "5ddf839afa2d5fb4be56e1a0f48917617559bef61ec122bfca1c7f75ac8f401d"),
        Arguments.of(LuksHash.SHA512, "password", "salt", 2, 100,
            "e1d9c16aa681708a45f5c7c4e215ceb66e011a2e9f0040713f18aefdb866d53c"
                + "f76cab2868a39b9f7840edce4fef5a82be67335c77a6068e04112754f27ccf4e"
                + "473e311ad827b68945f4e2dddb204c78e40e2495141e411cd272d020640d673c"
                + "d34aa29f"));
  }

  @ParameterizedTest(name = "{0} {1}/{2} c={3} dkLen={4}")
  @MethodSource("vectors")
  void derivesThePublishedKey(LuksHash hash, String password, String salt, int iterations,
      int length, String expected) {
    byte[] dk = Pbkdf2.derive(hash, password.getBytes(StandardCharsets.ISO_8859_1),
        salt.getBytes(StandardCharsets.ISO_8859_1), iterations, length);
    assertEquals(expected, Hex.of(dk));
  }
}
