package io.github.qcow2nio.format.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds qcow2 images with qemu-img and qemu-io, so that every image a test reads was made by
 * QEMU: {@code qemu-img create} with any {@code -o} options and backing file, then qemu-io
 * commands. Static helpers cover what create cannot: compressed images (via convert), raw files,
 * internal snapshots, a header without the backing format.
 *
 * <pre>{@code
 * Path img = ImageBuilder.qcow2(dir, "a.qcow2").size(4 << 20)
 *     .option("cluster_size", 4096).option("compat", "1.1")
 *     .backing("base.qcow2", "qcow2")
 *     .io("write -P 1 0 64k", "write -z 1M 8k")
 *     .create();
 * }</pre>
 */
public final class ImageBuilder {
  private static final int BACKING_FORMAT_EXTENSION = 0xE2792ACA;

  private final Path image;
  private long size = 4 << 20;
  private final Map<String, String> options = new LinkedHashMap<>();
  private String backing;
  private String backingFormat;
  private final List<String> commands = new ArrayList<>();

  private ImageBuilder(Path image) {
    this.image = image;
  }

  /** An image named {@code name} in {@code dir}. */
  public static ImageBuilder qcow2(Path dir, String name) {
    return new ImageBuilder(dir.resolve(name));
  }

  public ImageBuilder size(long bytes) {
    this.size = bytes;
    return this;
  }

  /** One {@code qemu-img create -o key=value} option. */
  public ImageBuilder option(String key, Object value) {
    options.put(key, String.valueOf(value));
    return this;
  }

  /** Options in qemu-img's {@code key=value,key=value} form; empty adds none. */
  public ImageBuilder options(String keyValues) {
    for (String kv : keyValues.split(",")) {
      if (kv.isBlank()) {
        continue;
      }
      int eq = kv.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("not key=value: " + kv);
      }
      option(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return this;
  }

  /**
   * The backing file, stored in the header exactly as given (a relative name resolves against the
   * image's directory), with {@code format} (qcow2 or raw) recorded as the backing format.
   */
  public ImageBuilder backing(String name, String format) {
    this.backing = name;
    this.backingFormat = format;
    return this;
  }

  /** qemu-io commands (as for {@code qemu-io -c}) run in order after the image is created. */
  public ImageBuilder io(String... qemuIoCommands) {
    commands.addAll(List.of(qemuIoCommands));
    return this;
  }

  public Path create() throws IOException {
    List<String> c = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
    if (backing != null) {
      c.addAll(List.of("-b", backing, "-F", backingFormat));
    }
    if (!options.isEmpty()) {
      StringBuilder o = new StringBuilder();
      options.forEach((k, v) -> o.append(o.length() == 0 ? "" : ",").append(k).append('=')
          .append(v));
      c.addAll(List.of("-o", o.toString()));
    }
    c.add(image.toString());
    c.add(Long.toString(size));
    Qemu.img(c.toArray(String[]::new));
    if (!commands.isEmpty()) {
      Qemu.io(image, commands.toArray(String[]::new));
    }
    return image;
  }

  /** Writes {@code contents} as a raw file and returns its path. */
  public static Path raw(Path dir, String name, byte[] contents) throws IOException {
    return Files.write(dir.resolve(name), contents);
  }

  /**
   * Makes {@code target} a compressed copy of {@code source} with {@code qemu-img convert -c}:
   * every cluster that compresses to less than a cluster is stored compressed, the rest normally.
   *
   * @param sourceFormat raw or qcow2
   * @param options further {@code -o} options, e.g. {@code cluster_size=4096}; may be empty
   */
  public static Path compress(Path source, String sourceFormat, Path target,
      String compressionType, String options) throws IOException {
    String o = "compression_type=" + compressionType + (options.isEmpty() ? "" : "," + options);
    Qemu.img("convert", "-c", "-f", sourceFormat, "-O", "qcow2", "-o", o, source.toString(),
        target.toString());
    return target;
  }

  /**
   * Copies {@code source}, a compressed image whose last compressed stream's sectors reach the
   * end of the file (as qemu-img convert -c leaves them), to {@code target} without the stream's
   * trailing zero bytes: the descriptor's sector range now runs past EOF, as it may in images
   * other writers made, and readers must take the missing bytes as zeros (QEMU does). Nothing but
   * that stream and its slack is cut.
   *
   * @return the number of bytes cut: 0 when the stream ends in a nonzero byte, -1 (and no copy)
   *     when something else follows the last compressed stream
   */
  public static long cutLastCompressedStream(Path source, Path target) throws IOException {
    byte[] b = Files.readAllBytes(source);
    long[] last = lastCompressedStream(ByteBuffer.wrap(b));
    if (last[0] < 0 || last[1] < b.length) {
      return -1;
    }
    int end = b.length;
    while (end > last[0] + 1 && b[end - 1] == 0) {
      end--;
    }
    Files.write(target, Arrays.copyOf(b, end));
    return b.length - end;
  }

  /**
   * Start and end (of the sectors its descriptor covers) of the compressed stream that starts
   * last in the file, read straight from the active L1/L2 tables; {-1, -1} when there is none.
   */
  private static long[] lastCompressedStream(ByteBuffer f) {
    int clusterBits = f.getInt(20);
    int version = f.getInt(4);
    int l1Size = f.getInt(36);
    long l1Offset = f.getLong(40);
    boolean extended = version >= 3 && (f.getLong(72) & (1L << 4)) != 0;
    int entry = extended ? 16 : 8;
    int cluster = 1 << clusterBits;
    int x = 62 - (clusterBits - 8);
    long[] last = {-1, -1};
    for (int i = 0; i < l1Size; i++) {
      long l2 = f.getLong((int) (l1Offset + 8L * i)) & 0x00ff_ffff_ffff_fe00L;
      if (l2 == 0) {
        continue;
      }
      for (int j = 0; j < cluster / entry; j++) {
        long w = f.getLong((int) (l2 + (long) j * entry));
        if ((w & (1L << 62)) == 0) {
          continue;
        }
        long offset = w & ((1L << x) - 1);
        long sectors = ((w >>> x) & ((1L << (clusterBits - 8)) - 1)) + 1;
        if (offset > last[0]) {
          last[0] = offset;
          last[1] = (offset & ~511L) + sectors * 512;
        }
      }
    }
    return last;
  }

  /** Takes an internal snapshot named {@code name}. */
  public static void snapshot(Path image, String name) throws IOException {
    Qemu.img("snapshot", "-c", name, image.toString());
  }

  /**
   * Hides the backing format header extension, leaving the backing file name, so readers must
   * probe the backing file's format. qemu-img 7.2 refuses to create such an image, but older
   * tools made them and QEMU still opens them. The extension's type is changed to one no reader
   * knows, which every reader must skip; its length and the rest of the header stay as they are.
   */
  public static void forgetBackingFormat(Path image) throws IOException {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer head = ByteBuffer.allocate(4096);
      ch.read(head, 0);
      int version = head.getInt(4);
      int clusterSize = 1 << head.getInt(20);
      int pos = version >= 3 ? head.getInt(100) : 72;
      while (pos + 8 <= head.capacity() && pos + 8 <= clusterSize) {
        int type = head.getInt(pos);
        int length = head.getInt(pos + 4);
        if (type == 0) {
          break;
        }
        if (type == BACKING_FORMAT_EXTENSION) {
          ch.write(ByteBuffer.allocate(4).putInt(0, 0x7e57_0000), pos);
          return;
        }
        pos += 8 + ((length + 7) & ~7);
      }
    }
    throw new IOException(image + " has no backing format extension");
  }
}
