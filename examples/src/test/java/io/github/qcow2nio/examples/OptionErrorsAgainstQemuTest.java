package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertAll;

import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's mistakes and the shared options, across the qemu-img commands: the same
 * words on stderr (qemu-img's "qemu-img:" being "qcow2:"), the same stdout and exit status as
 * qemu-img gives for the same arguments. (Not compared: qemu-img measure answers an unknown
 * option with its whole help on stdout and exit status 0; this tool refuses it as every other
 * command does.)
 */
@Tag("qemu")
class OptionErrorsAgainstQemuTest {
  @TempDir Path dir;

  private static final String[][] CASES = {
      {"frob", "IMG"},
      {"info", "--bogus", "IMG"},
      {"info", "-Z", "IMG"},
      {"info", "IMG", "IMG"},
      {"info", "--output=xml", "IMG"},
      {"info", "--output"},
      {"info", "-f"},
      {"info", "-f", "qcow2", "--image-opts", "driver=qcow2,file.filename=IMG"},
      {"map"},
      {"map", "--output=xml", "IMG"},
      {"map", "--backing-chain", "IMG"},
      {"check"},
      {"check", "IMG", "IMG"},
      {"check", "--output=xml", "IMG"},
      {"check", "-T", "foo", "IMG"},
      {"check", "--bogus", "IMG"},
      {"check", "-f", "qcow2", "--image-opts", "driver=qcow2,file.filename=IMG"},
      {"convert", "-t", "foo", "IMG", "x.raw"},
      {"convert", "-T", "foo", "IMG", "x.raw"},
      {"convert", "-Z", "IMG", "x.raw"},
      {"convert", "-O"},
      {"compare", "-T", "foo", "IMG", "IMG"},
      {"compare", "-p", "IMG", "IMG"},
      {"compare", "-pq", "IMG", "IMG"},
      {"compare", "--bogus", "IMG", "IMG"},
      {"measure", "--output=xml", "--size", "1G"},
      {"measure", "--output", "json"},
      {"measure", "--size", "1G", "IMG"},
      {"convert", "IMG"},
      {"convert", "-O", "raw", "-B", "x", "IMG", "y.raw"},
      {"compare", "IMG"},
      {"create", "--bogus", "IMG", "1M"},
      {"resize", "--bogus", "IMG", "1M"},
      {"resize", "-f"},
      {"commit", "--bogus", "IMG"},
      {"commit", "-Z", "IMG"},
      {"commit", "-b"},
      {"rebase", "--bogus", "IMG"},
      {"rebase", "-Z", "-u", "IMG"},
      {"rebase", "-F"},
  };

  @Test
  void mistakesReadAsQemuImgsDo() throws IOException {
    Qemu.assumeAvailable();
    QemuParity p = new QemuParity(dir);
    p.both("create", "-q", "-f", "qcow2", "DIR/a.qcow2", "1M");
    List<Executable> checks = new ArrayList<>();
    for (String[] args : CASES) {
      checks.add(() -> p.compare("a.qcow2", args));
    }
    assertAll(checks);
  }
}
