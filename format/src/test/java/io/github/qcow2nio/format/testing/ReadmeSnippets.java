package io.github.qcow2nio.format.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps a README's Java examples compiling and running: a test holds each example between
 * {@code // begin:NAME} and {@code // end:NAME} and runs it, and {@link #assertShown} checks
 * that the README shows each one as it stands there (indentation removed).
 */
public final class ReadmeSnippets {
  private static final Pattern SNIPPET =
      Pattern.compile("// begin:([\\w-]+)\\n(.*?)\\n\\s*// end:\\1", Pattern.DOTALL);

  private ReadmeSnippets() {}

  /**
   * Every snippet of {@code testSource} stands in {@code readme}, and the snippets are
   * {@code names}, in order.
   */
  public static void assertShown(Path testSource, Path readme, List<String> names)
      throws IOException {
    String source = Files.readString(testSource);
    String text = Files.readString(readme);
    Matcher m = SNIPPET.matcher(source);
    List<String> found = new ArrayList<>();
    while (m.find()) {
      found.add(m.group(1));
      String snippet = dedent(m.group(2));
      assertTrue(text.contains(snippet), readme + " lacks the '" + m.group(1)
          + "' example as it is in " + testSource.getFileName() + ":\n" + snippet);
    }
    assertEquals(names, found);
  }

  /** {@code block} without the indentation its lines share. */
  static String dedent(String block) {
    List<String> lines = block.lines().toList();
    int indent = lines.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    return String.join("\n", lines.stream()
        .map(l -> l.length() >= indent ? l.substring(indent) : l).toList());
  }
}
