package io.github.qcow2nio.provider.testing;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.nio.NestedFileSystemProvider;
import io.github.qcow2nio.provider.Qcow2FileSystemProvider;
import io.github.qcow2nio.provider.Qcow2FileSystems;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code Files.copy(/disk, file)} from a qcow2 image to a file of the default provider, run in
 * this JVM or, where this JVM is older than the copy needs, in a child JVM of a newer JDK
 * installed beside it: {@code ForeignCopy IMAGE TARGET}.
 */
public final class ForeignCopy {
  private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

  private ForeignCopy() {}

  public static void main(String[] args) throws IOException {
    copy(Path.of(args[0]), Path.of(args[1]));
  }

  /** The copy itself: plain NIO, one provider to another. */
  public static void copy(Path image, Path target) throws IOException {
    try (FileSystem fs = Qcow2FileSystems.open(image, Map.of("accessMode", "readOnly"))) {
      Files.copy(fs.getPath("/disk"), target);
    }
  }

  /**
   * The {@code java} of the newest JDK of at least {@code feature} installed beside this one
   * (the JDKs of a Linux distribution share a directory), or null.
   */
  public static Path javaOfAtLeast(int feature) throws IOException {
    Path home = Path.of(System.getProperty("java.home")).toRealPath();
    Path jdks = home.getParent();
    if (jdks == null) {
      return null;
    }
    List<Path> found = new ArrayList<>();
    try (Stream<Path> s = Files.list(jdks)) {
      for (Path jdk : s.toList()) {
        Path release = jdk.resolve("release");
        Path java = jdk.resolve("bin").resolve("java");
        if (Files.isRegularFile(release) && Files.isExecutable(java)
            && feature(release) >= feature) {
          found.add(java);
        }
      }
    }
    return found.stream().max(Comparator.comparing(ForeignCopy::featureOfJava))
        .orElse(null);
  }

  /** The class path a child JVM needs to run {@link #main}: the project's classes alone. */
  public static String classPath() {
    List<String> parts = new ArrayList<>();
    for (Class<?> c : List.of(ForeignCopy.class, Qcow2FileSystemProvider.class,
        NestedFileSystemProvider.class, Qcow2Image.class)) {
      try {
        parts.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString());
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
    return String.join(java.io.File.pathSeparator, parts);
  }

  private static int featureOfJava(Path java) {
    try {
      return feature(java.getParent().getParent().resolve("release"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int feature(Path release) throws IOException {
    Matcher m = VERSION.matcher(Files.readString(release));
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }
}
