package io.github.qcow2nio.provider.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/**
 * Run in a child JVM by ProviderModulesTest: reports how the qcow2 provider was found and reads
 * the disk of each image named on the command line through it (or why it was refused).
 */
public final class ProviderProbe {
  private ProviderProbe() {}

  public static void main(String[] args) throws Exception {
    for (FileSystemProvider p : FileSystemProvider.installedProviders()) {
      if (p.getScheme().equals("qcow2")) {
        Module m = p.getClass().getModule();
        System.out.println("provider " + p.getClass().getName() + " in "
            + (m.isNamed() ? "module " + m.getName() : "the unnamed module"));
      }
    }
    for (String image : args) {
      URI uri = URI.create("qcow2:" + Path.of(image).toUri());
      try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("accessMode", "readOnly"));
          InputStream in = Files.newInputStream(fs.getPath("/disk"))) {
        byte[] disk = in.readAllBytes();
        System.out.println("disk " + image + " "
            + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(disk)));
      } catch (IOException e) {
        System.out.println("refused " + image + " " + e.getClass().getName() + ": "
            + e.getMessage());
      }
    }
  }
}
