package io.github.qcow2nio.ext4;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.github.qcow2nio.ext4.testing.Golden;
import io.github.qcow2nio.format.testing.Mutation;
import io.github.qcow2nio.format.testing.TreeReader;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the ext2/3/4 reader: the golden images with patches the fuzzer
 * chooses (see {@link Mutation}), held in jimfs, opened through the provider and read whole
 * (directories, attributes, links, file contents). A result or an IOException are the only
 * acceptable outcomes; the timeout only catches a hang.
 */
class Ext4FuzzTest {
  static final List<String> SEEDS = Golden.NAMES;
  static final List<byte[]> IMAGES = SEEDS.stream().map(Golden::image).toList();

  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void readWholeFileSystem(byte[] input) throws IOException {
    try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
      Path p = jimfs.getPath("/fs.img");
      Files.write(p, Mutation.apply(IMAGES, input));
      try {
        TreeReader.readAll(TreeReader.provider("ext4"), p);
      } catch (IOException expected) {
        // a named refusal
      }
    }
  }
}
