package io.github.qcow2nio.extraciphers.probe;

import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Run in a JVM of its own by ModulesTest: opens the image {@code args[0]} with the passphrase
 * {@code args[1]} and prints {@code disk <sha-256>} of its guest disk, or
 * {@code refused <exception>: <message>}; and where the provider came from. In a package of its
 * own, since on the module path the module owns the package of the other tests.
 */
public final class ModulesProbe {
  private ModulesProbe() {}

  public static void main(String[] args) throws Exception {
    try {
      for (var p : java.util.ServiceLoader.load(
          io.github.qcow2nio.format.crypto.spi.LuksAlgorithmProvider.class)) {
        Module m = p.getClass().getModule();
        System.out.println("provider " + p.getClass().getName() + " in "
            + (m.isNamed() ? "module " + m.getName() : "the unnamed module"));
      }
    } catch (java.util.ServiceConfigurationError e) {
      System.out.println("no provider: " + e.getMessage());
    }
    try (Qcow2Image image = Qcow2Image.open(Path.of(args[0]),
        OpenOptions.builder().keySecret(args[1].toCharArray()).build())) {
      ByteBuffer b = ByteBuffer.allocate((int) image.disk().size());
      image.disk().read(b, 0);
      System.out.println("disk " + HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(b.array())));
    } catch (IOException e) {
      System.out.println("refused " + e.getClass().getName() + ": " + e.getMessage());
    }
  }
}
