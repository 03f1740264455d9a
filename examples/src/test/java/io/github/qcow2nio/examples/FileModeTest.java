package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ls -l's mode column, against GNU stat's {@code %A} for files and directories given random
 * modes (setuid, setgid and sticky included) by chmod.
 */
class FileModeTest {
  @TempDir Path dir;

  @Test
  void spellsModesAsStatDoes() throws IOException {
    HostTools.assume("chmod", "stat");
    Random random = new Random(42);
    List<String> command = new ArrayList<>(List.of("stat", "-c", "%f %A"));
    List<Path> paths = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      Path p = dir.resolve("f" + i);
      if (i % 3 == 0) {
        Files.createDirectory(p);
      } else {
        Files.createFile(p);
      }
      HostTools.ok("chmod", Integer.toOctalString(random.nextInt(010000)), p.toString());
      paths.add(p);
      command.add(p.toString());
    }
    List<String> lines = HostTools.ok(command.toArray(String[]::new)).lines().toList();
    for (int i = 0; i < paths.size(); i++) {
      String[] f = lines.get(i).split(" ");
      int mode = Integer.parseInt(f[0], 16); // %f: the raw st_mode in hex
      BasicFileAttributes a = Files.readAttributes(paths.get(i), BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      assertEquals(f[1], FileMode.unix(mode, a), paths.get(i) + " mode " + f[0]);
    }
  }
}
