package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.qcow2nio.format.CheckOptions;
import io.github.qcow2nio.format.CheckResult;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.Qcow2Check;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.testing.CryptoGolden;
import io.github.qcow2nio.format.testing.MemoryLocation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checking the encrypted golden images qemu-img 7.2 made (and checked clean): with the key, no
 * error and no leak (the LUKS area's clusters are referenced, as qemu-img check counts them);
 * without it, the check refuses to open the image, as qemu-img does.
 */
class EncryptedCheckTest {

  @Test
  void goldenEncryptedImagesCheckClean() throws IOException {
    for (String name : List.of(CryptoGolden.LUKS, CryptoGolden.AES)) {
      String pass = name.equals(CryptoGolden.LUKS) ? CryptoGolden.LUKS_PASSPHRASE
          : CryptoGolden.AES_PASSPHRASE;
      Map<String, byte[]> dir = new HashMap<>();
      dir.put(name, CryptoGolden.bytes(name));
      List<String> messages = new ArrayList<>();
      CheckResult r = Qcow2Check.check(new MemoryLocation(dir, name), CheckOptions.builder()
          .messages(messages::add).keySecret(KeySecret.of(pass.toCharArray())).build());
      assertEquals(List.of(), messages, name);
      assertEquals(0, r.checkErrors() + r.corruptions() + r.leaks(), name + ": " + r);
      assertThrows(EncryptionKeyException.class,
          () -> Qcow2Check.check(new MemoryLocation(dir, name), CheckOptions.check()), name);
    }
  }
}
