package io.github.qcow2nio.bench;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The JVM floor: the cheapest Java program there is, started as the tool is. */
public final class Hi {
  private Hi() {}

  public static void main(String[] args) {
    System.out.println("hi");
  }

  /** Where this class was loaded from (the bench jar or target/classes). */
  static String classPath() {
    try {
      return Path.of(Hi.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
