package io.github.qcow2nio.format.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * qemu-img as a typed oracle: {@code check}, {@code info}, {@code map}, {@code measure} and
 * {@code compare}, their JSON parsed into records (Jackson does the parsing; it is a test
 * dependency only). Every process goes through {@link Qemu#run}, which retries qemu-img's known
 * transient failure.
 */
public final class QemuImg {
  private static final ObjectMapper JSON = new ObjectMapper();

  private QemuImg() {}

  /** What {@code qemu-img check --output=json} reports, with its exit status. */
  public record Check(int exitCode, long checkErrors, long corruptions, long leaks,
      long allocatedClusters, long totalClusters, long imageEndOffset, String output) {

    /** No errors and no corruption; leaks only if {@code leaksAllowed}. */
    public boolean consistent(boolean leaksAllowed) {
      return checkErrors == 0 && corruptions == 0 && (leaksAllowed || leaks == 0)
          && (exitCode == 0 || (leaksAllowed && exitCode == 3));
    }
  }

  /** One extent of {@code qemu-img map --output=json}. */
  public record MapEntry(long start, long length, int depth, boolean present, boolean zero,
      boolean data, long offset) {}

  /** {@code qemu-img measure --output=json}. */
  public record Measure(long required, long fullyAllocated) {}

  /** {@code qemu-img compare}: exit 0 identical, 1 different, 2 error; what it printed. */
  public record Compare(int exitCode, String output) {}

  public static Check check(Path image, String... options) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("qemu-img", "check", "--output=json"));
    cmd.addAll(List.of(options));
    cmd.add(image.toString());
    Qemu.Result r = Qemu.run(cmd);
    if (r.exitCode() == 1 || r.stdout().isBlank()) {
      // 1: the check could not be done (the image did not open); no JSON then.
      return new Check(r.exitCode(), -1, -1, -1, -1, -1, -1, r.stdout() + r.stderr());
    }
    JsonNode n = JSON.readTree(r.stdout());
    return new Check(r.exitCode(), n.path("check-errors").asLong(0),
        n.path("corruptions").asLong(0), n.path("leaks").asLong(0),
        n.path("allocated-clusters").asLong(-1), n.path("total-clusters").asLong(-1),
        n.path("image-end-offset").asLong(-1), r.stdout() + r.stderr());
  }

  /**
   * {@code qemu-img check} of an encrypted image: the secret as an object, the image through
   * {@code --image-opts}.
   */
  public static Check checkEncrypted(Path image, String passphrase) throws IOException {
    return check(Path.of("driver=qcow2,file.filename=" + image + ",encrypt.key-secret=s0"),
        "--object", "secret,id=s0,data=" + passphrase, "--image-opts");
  }

  /**
   * {@code qemu-img check} of an encrypted image whose backing layers have keys of their own:
   * {@code backingPassphrases[0]} for its backing file, [1] for that file's, ... (qemu-img's
   * {@code backing.encrypt.key-secret}).
   */
  public static Check checkEncryptedChain(Path image, String passphrase,
      String... backingPassphrases) throws IOException {
    List<String> options = new ArrayList<>(List.of("--object", "secret,id=s0,data=" + passphrase));
    StringBuilder opts = new StringBuilder("driver=qcow2,file.filename=" + image
        + ",encrypt.key-secret=s0");
    String prefix = "";
    for (int i = 0; i < backingPassphrases.length; i++) {
      prefix += "backing.";
      options.addAll(List.of("--object", "secret,id=b" + i + ",data=" + backingPassphrases[i]));
      opts.append(',').append(prefix).append("encrypt.key-secret=b").append(i);
    }
    options.add("--image-opts");
    return check(Path.of(opts.toString()), options.toArray(String[]::new));
  }

  /** {@code qemu-img info --output=json} as a tree (its keys vary with the image). */
  public static JsonNode info(Path image, String... options) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("qemu-img", "info", "--output=json"));
    cmd.addAll(List.of(options));
    cmd.add(image.toString());
    return JSON.readTree(Qemu.ok(cmd.toArray(String[]::new)));
  }

  public static List<MapEntry> map(Path image) throws IOException {
    JsonNode n = JSON.readTree(Qemu.ok("qemu-img", "map", "--output=json", image.toString()));
    List<MapEntry> out = new ArrayList<>();
    for (JsonNode e : n) {
      out.add(new MapEntry(e.path("start").asLong(), e.path("length").asLong(),
          e.path("depth").asInt(), e.path("present").asBoolean(), e.path("zero").asBoolean(),
          e.path("data").asBoolean(), e.path("offset").asLong(-1)));
    }
    return out;
  }

  public static Measure measure(Path image, String... options) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("qemu-img", "measure", "--output=json"));
    cmd.addAll(List.of(options));
    cmd.add(image.toString());
    JsonNode n = JSON.readTree(Qemu.ok(cmd.toArray(String[]::new)));
    return new Measure(n.path("required").asLong(), n.path("fully-allocated").asLong());
  }

  public static Compare compare(Path a, Path b, boolean strict) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("qemu-img", "compare"));
    if (strict) {
      cmd.add("-s");
    }
    cmd.add(a.toString());
    cmd.add(b.toString());
    Qemu.Result r = Qemu.run(cmd);
    return new Compare(r.exitCode(), r.stdout() + r.stderr());
  }
}
