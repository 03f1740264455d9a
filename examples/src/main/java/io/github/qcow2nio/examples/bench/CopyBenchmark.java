package io.github.qcow2nio.examples.bench;

import io.github.qcow2nio.format.ConvertOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ImageSource;
import io.github.qcow2nio.provider.Qcow2FileSystem;
import io.github.qcow2nio.provider.Qcow2FileSystems;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;

/**
 * Copying a half-empty qcow2 disk to a raw file, as a new user would: {@code Files.copy} of
 * {@code /disk}, {@code FileChannel.transferTo} from it, and the library's convert, each against
 * {@code qemu-img convert -O raw} on the same image, as ratios, with the bytes each leaves
 * allocated.
 *
 * <p>Usage: {@code java -cp qcow2.jar io.github.qcow2nio.examples.bench.CopyBenchmark [MiB]};
 * needs qemu-img to build the image.
 */
public final class CopyBenchmark {

  private CopyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    Path dir = Files.createTempDirectory("qcow2-copy-bench");
    try {
      Path raw = dir.resolve("half.raw");
      Bench.writeRandomish(raw, (long) mib << 20, 0.5);
      Path image = dir.resolve("half.qcow2");
      Bench.exec("qemu-img", "convert", "-O", "qcow2", raw.toString(), image.toString());
      Files.delete(raw);
      Path out = dir.resolve("out.raw");
      System.out.printf(Locale.ROOT, "disk: %d MiB, half of its 64 KiB clusters zero; best of %d"
          + " rounds%n", mib, Bench.ROUNDS);
      long qemu = Bench.best(() -> {
        Files.deleteIfExists(out);
        Bench.exec("qemu-img", "convert", "-O", "raw", image.toString(), out.toString());
      });
      line("qemu-img convert -O raw", qemu, qemu, out);
      line("Files.copy(/disk, raw)", qemu, Bench.best(() -> {
        Files.deleteIfExists(out);
        try (Qcow2FileSystem fs = Qcow2FileSystems.open(image, Map.of("accessMode",
            "readOnly"))) {
          Files.copy(fs.getPath("/disk"), out);
        }
      }), out);
      line("FileChannel.transferTo(/disk -> raw)", qemu, Bench.best(() -> {
        Files.deleteIfExists(out);
        try (Qcow2FileSystem fs = Qcow2FileSystems.open(image, Map.of("accessMode",
            "readOnly"));
            FileChannel in = FileChannel.open(fs.getPath("/disk"));
            FileChannel o = FileChannel.open(out, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
          for (long done = 0; done < in.size(); ) {
            done += in.transferTo(done, in.size() - done, o);
          }
        }
      }), out);
      line("ImageOperations.convert(-O raw)", qemu, Bench.best(() -> {
        Files.deleteIfExists(out);
        ImageOperations.convert(ConvertOptions.of(ImageSource.of(image), out, "raw"));
      }), out);
    } finally {
      Bench.deleteScratch(dir);
    }
  }

  private static void line(String what, long qemu, long ours, Path out) throws Exception {
    long allocated = io.github.qcow2nio.examples.HostAllocation.allocatedBlocks()
        .allocatedBytes(out);
    System.out.printf(Locale.ROOT, "%-40s time/qemu-img = %5.2f, allocated %d MiB%n", what,
        (double) ours / qemu, allocated >> 20);
  }
}
