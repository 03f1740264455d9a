package io.github.qcow2nio.examples;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The run the build records for the tool's class-data-sharing archive ({@code qcow2.jsa}, used by
 * the {@code qcow2} launcher; see examples/README.md): the commands people start most, in one JVM,
 * on a small image it creates, so that the archive holds what they load. One JVM, not one per
 * command: JDK 17's archive dump needs a class list without repeated entries.
 *
 * <p>{@code java -XX:DumpLoadedClassList=LIST -cp qcow2.jar ...CdsTraining DIR}; exits 0 when
 * every command succeeded, 1 otherwise (the build then keeps no archive; the tool is unaffected).
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: CdsTraining DIR");
      System.exit(2);
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    String image = dir.resolve("training.qcow2").toString();
    String copy = dir.resolve("training-copy.qcow2").toString();
    Files.deleteIfExists(Path.of(image));
    Files.deleteIfExists(Path.of(copy));
    List<List<String>> lines = List.of(
        List.of("create", "-q", "-f", "qcow2", image, "16M"),
        // The start-up the issue times, first: its classes are what the archive is for. These
        // metadata lines run on the direct path (DirectCommands), without picocli.
        List.of("info", "--output=json", image),
        List.of("info", image),
        List.of("info"),
        List.of("check", image),
        List.of("map", "--output=json", image),
        List.of("measure", "-O", "qcow2", image),
        // A line the direct path hands to picocli: one command's model, as picocli builds it.
        List.of("info", "--help"),
        List.of("snapshot", "-l", image),
        List.of("convert", "-O", "qcow2", image, copy),
        List.of("--help"));
    PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true,
        StandardCharsets.UTF_8);
    int failed = 0;
    for (List<String> line : lines) {
      int status = Main.run(line.toArray(new String[0]), sink, sink);
      System.out.println("qcow2 " + String.join(" ", line) + ": exit " + status);
      failed += status == 0 ? 0 : 1;
    }
    System.exit(failed == 0 ? 0 : 1);
  }
}
