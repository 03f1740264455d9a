package io.github.qcow2nio.extraciphers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * qemu-img and qemu-io on LUKS images whose passphrase is {@link Combination#PASS}: the secret
 * as an object, the image through {@code --image-opts}. Every process goes through
 * {@link Qemu#run}, which retries qemu-img's transient "Unable to get accurate CPU usage".
 */
final class QemuLuks {
  private QemuLuks() {}

  private static final String SECRET = "secret,id=sec0,data=" + Combination.PASS;

  static String imageOpts(Path img) {
    return "driver=qcow2,file.filename=" + img + ",encrypt.key-secret=sec0";
  }

  /** qemu-img create with {@code c}'s options; the result, for tests of refusals. */
  static Qemu.Result create(Combination c, Path img, String size) throws IOException {
    return Qemu.run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "--object", SECRET,
        "-o", c.qemuOptions() + ",cluster_size=4096", img.toString(), size));
  }

  /** qemu-io commands on the image, failing on any error. */
  static void io(Path img, String... commands) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("qemu-io", "--object", SECRET, "--image-opts"));
    for (String c : commands) {
      cmd.add("-c");
      cmd.add(c);
    }
    cmd.add(imageOpts(img));
    Qemu.Result r = Qemu.run(cmd);
    assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
    if (r.stdout().contains("error") || r.stdout().contains("failed")) {
      throw new IOException("qemu-io on " + img + ":\n" + r.stdout());
    }
  }

  /** The guest disk as {@code qemu-img convert -O raw} reads it. */
  static byte[] raw(Path img, Path scratch) throws IOException {
    Path raw = scratch.resolve(img.getFileName() + ".raw");
    Qemu.Result r = Qemu.run(List.of("qemu-img", "convert", "--object", SECRET, "--image-opts",
        imageOpts(img), "-O", "raw", raw.toString()));
    assertEquals(0, r.exitCode(), r.stderr());
    byte[] b = Files.readAllBytes(raw);
    Files.delete(raw);
    return b;
  }

  /** {@code qemu-img check}: its exit status and what it printed. */
  static Qemu.Result check(Path img) throws IOException {
    return Qemu.run(List.of("qemu-img", "check", "--object", SECRET, "--image-opts",
        imageOpts(img)));
  }

  /** The {@code encrypt} block of {@code qemu-img info --output=json}. */
  static JsonNode info(Path img) throws IOException {
    return new ObjectMapper().readTree(Qemu.ok("qemu-img", "info", "--output=json",
        img.toString())).path("format-specific").path("data").path("encrypt");
  }
}
