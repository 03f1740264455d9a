package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code qemu-img check} and {@code qemu-img compare} say about an image this tool wrote,
 * read without a JSON library (the examples' tests have none).
 */
final class QemuJudge {
  private QemuJudge() {}

  /** {@code qemu-img check --output=json}: its exit status, counts and output. */
  record Check(int exitCode, long errors, long corruptions, long leaks, long allocated,
      String output) {

    /** No errors, no corruption, no leaks. */
    boolean clean() {
      return exitCode == 0 && errors == 0 && corruptions == 0 && leaks == 0;
    }
  }

  static Check check(Path image) throws IOException {
    Qemu.Result r = Qemu.run("qemu-img", "check", "--output=json", image.toString());
    String out = r.stdout();
    return new Check(r.exitCode(), number(out, "check-errors"), number(out, "corruptions"),
        number(out, "leaks"), number(out, "allocated-clusters"), out + r.stderr());
  }

  /** {@code qemu-img compare A B}: 0 identical, 1 different, 2 error. */
  static Qemu.Result compare(Path a, Path b) throws IOException {
    return Qemu.run("qemu-img", "compare", a.toString(), b.toString());
  }

  /**
   * {@code qemu-img info --output=json}, field by field, without what differs between two
   * copies of one image in different directories: names and the file's allocation.
   */
  static String info(Path img, Path side) throws IOException {
    Qemu.Result r = Qemu.run("qemu-img", "info", "--output=json", img.toString());
    StringBuilder sb = new StringBuilder();
    for (String line : r.stdout().split("\n")) {
      if (line.contains("\"actual-size\"")) {
        continue;
      }
      sb.append(line.replace(side.toString(), "DIR").replaceAll(",$", "")).append('\n');
    }
    return sb + r.stderr();
  }

  private static long number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\": (\\d+)").matcher(json);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }
}
