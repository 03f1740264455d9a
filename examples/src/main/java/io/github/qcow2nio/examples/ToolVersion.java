package io.github.qcow2nio.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version}: this tool's own line, in the place and shape of qemu-img's ("qemu-img
 * version 7.2.22 ..."), so that a script reading the first word after "version" gets ours. The
 * version is the build's, filtered into a resource by Maven.
 */
final class ToolVersion implements IVersionProvider {
  static final String RESOURCE = "/qcow2-tool.properties";

  @Override
  public String[] getVersion() {
    return new String[] {line()};
  }

  static String line() {
    return "qcow2 version " + version() + " (qcow2-nio, pure Java; output as qemu-img 7.2)";
  }

  static String version() {
    Properties p = new Properties();
    try (InputStream in = ToolVersion.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version", "unknown");
  }
}
