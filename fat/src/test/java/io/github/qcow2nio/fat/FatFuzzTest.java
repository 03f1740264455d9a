package io.github.qcow2nio.fat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.github.qcow2nio.format.testing.Mutation;
import io.github.qcow2nio.format.testing.TreeReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the FAT reader: the golden FAT12 and FAT16 volumes with patches the
 * fuzzer chooses (see {@link Mutation}), held in jimfs, opened through the provider and read
 * whole; then opened again and written to. FAT32's golden volume (34 MiB) is left out: copying
 * it for every input would leave the fuzzer little time and no room under -Xmx128m. A result or
 * an IOException are the only acceptable outcomes; the timeout only catches a hang.
 */
class FatFuzzTest {
  static final List<String> SEEDS = List.of("fat12", "fat16");
  static final List<byte[]> VOLUMES = SEEDS.stream().map(FatFuzzTest::golden).toList();

  static byte[] golden(String name) {
    try (InputStream in = new GZIPInputStream(
        FatFuzzTest.class.getResourceAsStream("/golden/" + name + ".img.gz"))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  @FuzzTest(maxDuration = "30s")
  void readWholeVolume(byte[] input) throws IOException {
    try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
      Path p = jimfs.getPath("/v.img");
      Files.write(p, Mutation.apply(VOLUMES, input));
      try {
        TreeReader.readAll(TreeReader.provider("fat"), p);
      } catch (IOException expected) {
        // a named refusal
      }
      try (FileSystem fs = TreeReader.provider("fat").newFileSystem(p, java.util.Map.of())) {
        Path f = fs.getPath("/fuzz.txt");
        Files.write(f, new byte[3000]);
        Files.createDirectories(fs.getPath("/Deep/new"));
        try (var ch = Files.newByteChannel(fs.getPath("/SHORT.TXT"),
            java.nio.file.StandardOpenOption.WRITE)) {
          ch.write(ByteBuffer.wrap(new byte[700]));
          ch.truncate(100);
        }
        Files.delete(f);
      } catch (IOException | UnsupportedOperationException expected) {
        // a named refusal, or "not a FAT volume" from the provider
      }
    }
  }
}
