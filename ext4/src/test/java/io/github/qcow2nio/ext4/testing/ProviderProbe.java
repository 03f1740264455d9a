package io.github.qcow2nio.ext4.testing;

import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a JVM of its own: opens the image named by its argument through FileSystems alone and
 * prints which provider read it, from which module, what it exports, and one file.
 */
public final class ProviderProbe {
  private ProviderProbe() {}

  public static void main(String[] args) throws Exception {
    try (FileSystem fs = FileSystems.newFileSystem(Path.of(args[0]))) {
      Class<?> c = fs.provider().getClass();
      Module m = c.getModule();
      System.out.println("provider " + c.getName() + " in "
          + (m.isNamed() ? "module " + m.getName() : "the unnamed module"));
      for (String pkg : m.isNamed() ? m.getPackages() : java.util.Set.<String>of()) {
        System.out.println("package " + pkg + (m.isExported(pkg) ? " exported" : " internal"));
      }
      System.out.println("hello " + Files.readString(fs.getPath("/hello.txt")).trim());
    }
  }
}
