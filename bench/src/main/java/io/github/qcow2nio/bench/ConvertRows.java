package io.github.qcow2nio.bench;

import io.github.qcow2nio.format.ConvertOptions;
import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.ImageSource;
import io.github.qcow2nio.provider.Qcow2FileSystems;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The convert rows: {@link ImageOperations#convert} against {@code qemu-img convert} with the
 * same source, target format and options and the same durability: qemu-img convert's target
 * cache is "unsafe" by default (its conversion forces nothing), so ours runs with
 * {@code forceWrites(false)}, what our tool's convert does by default too. The library's own
 * default forces the target; that costs what writing the bytes to stable storage costs (the
 * allocating-writes row measures it against a raw file).
 */
final class ConvertRows {
  private static final int ZSTD = 1;

  private ConvertRows() {}

  static List<Row> measure(Settings s, ReferenceImages images) throws Exception {
    List<Row> rows = new ArrayList<>();
    rows.add(row(s, "qcow2 → raw file", images.allocated(), "qcow2", "raw", false, null,
        s.bigBytes()));
    rows.addAll(ConvertFloors.measure(s, images));
    rows.add(diskTransfer(s, images.allocated()));
    rows.add(row(s, "raw → qcow2", images.random(), "raw", "qcow2", false, null, s.bigBytes()));
    rows.add(row(s, "raw → compressed qcow2, deflate", images.text(), "raw", "qcow2", true,
        "zlib", s.textBytes()));
    rows.add(row(s, "raw → compressed qcow2, zstd", images.text(), "raw", "qcow2", true, "zstd",
        s.textBytes()));
    rows.add(row(s, "qcow2 → qcow2", images.allocated(), "qcow2", "qcow2", false, null,
        s.bigBytes()));
    rows.addAll(compressedSources(s, images));
    return rows;
  }

  /**
   * Not rows of the issue: a compressed source converted from start to end, where decompressing
   * ahead of the reader shows in convert too. On their own: {@code --only decompress}.
   */
  static List<Row> compressedSources(Settings s, ReferenceImages images) throws Exception {
    List<Row> rows = new ArrayList<>();
    rows.add(row(s, "compressed qcow2 (deflate) → raw file", images.deflate(), "qcow2", "raw",
        false, null, s.textBytes()));
    rows.add(row(s, "compressed qcow2 (zstd) → raw file", images.zstd(), "qcow2", "raw", false,
        null, s.textBytes()));
    return rows;
  }

  /**
   * Not a row of the issue: the provider's {@code /disk} copied into a new raw file by
   * {@code FileChannel.transferTo} on one thread (no zero detection but the image's own holes),
   * what a program that holds the file system would write, against qemu-img's convert to raw.
   */
  private static Row diskTransfer(Settings s, Path allocated) throws Exception {
    Path target = s.dir().resolve("converted.raw");
    Timing.Work fresh = () -> Files.deleteIfExists(target);
    long[] t = Timing.alternate(s.rounds(),
        new Timing.Side(fresh, () -> transferDisk(allocated, target)),
        new Timing.Side(fresh, () -> Proc.run(List.of("qemu-img", "convert", "-f", "qcow2",
            "-O", "raw", allocated.toString(), target.toString()))));
    Files.deleteIfExists(target);
    return new Row("`transferTo` of the allocated image's `/disk` (qcow2: file system) into a "
        + "raw file", Row.time(t[0], s.bigBytes()), "qemu-img convert (qcow2 → raw): "
        + Row.time(t[1], s.bigBytes()), Row.format("%.2f", (double) t[1] / t[0]), "-",
        "reported");
  }

  private static void transferDisk(Path image, Path target) throws IOException {
    try (FileSystem fs = Qcow2FileSystems.open(image, Map.of("accessMode", "readOnly"));
        FileChannel in = FileChannel.open(fs.getPath("/disk"));
        FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE)) {
      long size = in.size();
      for (long done = 0; done < size; ) {
        done += in.transferTo(done, size - done, out);
      }
    }
  }

  private static Row row(Settings s, String workload, Path source, String sourceFormat,
      String targetFormat, boolean compress, String compression, long bytes) throws Exception {
    Path target = s.dir().resolve("converted." + targetFormat);
    List<String> qemu = new ArrayList<>(List.of("qemu-img", "convert", "-f", sourceFormat, "-O",
        targetFormat));
    if (compress) {
      qemu.add("-c");
      qemu.add("-o");
      qemu.add("compression_type=" + compression);
    }
    qemu.add(source.toString());
    qemu.add(target.toString());

    CreateOptions create = CreateOptions.builder(0)
        .compressionType("zstd".equals(compression) ? ZSTD : 0).build();
    ConvertOptions options = ConvertOptions.builder(
        new ImageSource(source, sourceFormat, null, false), target, targetFormat)
        .compress(compress).create(create).forceWrites(false).build();

    Timing.Work fresh = () -> Files.deleteIfExists(target);
    long[] t = Timing.alternate(s.rounds(),
        new Timing.Side(fresh, () -> ImageOperations.convert(options)),
        new Timing.Side(fresh, () -> Proc.run(qemu)));
    Files.deleteIfExists(target);
    String name = compress ? "qemu-img convert -c" : "qemu-img convert";
    return Row.speed(workload, name, t[0], t[1], bytes, 1.5);
  }
}
