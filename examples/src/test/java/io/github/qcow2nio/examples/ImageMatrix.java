package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.testing.Qemu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Small images over qemu-img's option matrix, for the commands that read whole disks (convert,
 * measure, compare): made by qemu-img (v2, v3 with bitmaps, 512-byte and 2 MiB clusters, refcount
 * widths 1 and 64, extended L2, zstd with compressed clusters, a qcow2 over qcow2 over raw
 * chain, an external data file, a snapshot, a sparse raw file) and one made by this library.
 * Contents mix data, zero clusters, unallocated ranges and compressed clusters.
 *
 * <p>qemu-img's images are written in whole clusters (or subclusters): QEMU leaves the rest of a
 * partly written new cluster to the host file system (a zeroed range that may or may not be a
 * hole, depending on when ext4 writes it back), and measure counts holes, so with partial
 * clusters qemu-img's own answer varies from run to run. Partial writes are tested where the
 * answer cannot vary (the image this library makes, raw files, compare's pairs).
 */
final class ImageMatrix {
  /** The images to run every command on, relative to the directory. */
  static final List<String> IMAGES = List.of("v3.qcow2", "v2.qcow2", "c512.qcow2",
      "c2m.qcow2", "extl2.qcow2", "zstd.qcow2", "top.qcow2", "datafile.qcow2", "snap.qcow2",
      "ours.qcow2", "sparse.raw", "odd.raw");

  private ImageMatrix() {}

  static void make(Path dir) throws IOException {
    qcow2(dir, "v3.qcow2", "4M", null, "write -P 1 0 64k", "write -z 128k 64k",
        "write -c -P 3 512k 64k", "write -P 5 1M 64k", "write -P 6 4032k 64k");
    Qemu.img("bitmap", "--add", dir.resolve("v3.qcow2").toString(), "b0");
    Qemu.img("bitmap", "--add", "-g", "4096", dir.resolve("v3.qcow2").toString(), "b1");
    // No zero writes in v2: QEMU writes them as a zeroed range of the host file (no zero flag),
    // which is a hole or not depending on ext4's writeback, so measure's answer would vary.
    qcow2(dir, "v2.qcow2", "3M", "compat=0.10", "write -P 1 0 64k", "write -P 2 1M 128k");
    qcow2(dir, "c512.qcow2", "1M", "cluster_size=512,refcount_bits=1", "write -P 1 0 100k",
        "write -z 100k 50k", "write -P 2 300k 1k", "write -P 4 1000k 24k");
    qcow2(dir, "c2m.qcow2", "5M", "cluster_size=2M,refcount_bits=64", "write -P 1 0 2M",
        "write -P 2 4M 1M");
    qcow2(dir, "extl2.qcow2", "4M", "extended_l2=on", "write -P 1 0 4k", "write -z 64k 4k",
        "write -P 2 128k 128k", "write -z 128k 8k", "write -P 3 1M 2k");
    qcow2(dir, "zstd.qcow2", "2M", "compression_type=zstd", "write -c -P 7 0 64k",
        "write -c -P 8 192k 64k", "write -P 9 1M 64k");

    // top.qcow2 (3M) -> mid.qcow2 (2M) -> base.raw (2M, sparse), relative names.
    Path base = dir.resolve("base.raw");
    Qemu.img("create", "-f", "raw", base.toString(), "2M");
    Qemu.ok("qemu-io", "-f", "raw", "-c", "write -P 11 0 192k", "-c", "write -P 12 1M 4k",
        base.toString());
    Qemu.img("create", "-f", "qcow2", "-b", "base.raw", "-F", "raw",
        dir.resolve("mid.qcow2").toString());
    Qemu.io(dir.resolve("mid.qcow2"), "write -P 3 64k 64k", "write -z 512k 64k");
    Qemu.img("create", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2",
        dir.resolve("top.qcow2").toString(), "3M");
    Qemu.io(dir.resolve("top.qcow2"), "write -P 5 2560k 64k", "write -z 128k 64k",
        "write -P 6 576k 64k");

    qcow2(dir, "datafile.qcow2", "4M", "data_file=" + dir.resolve("datafile.bin"),
        "write -P 1 0 64k", "write -P 2 1M 128k", "write -z 2M 64k");
    qcow2(dir, "snap.qcow2", "2M", null, "write -P 1 0 128k", "write -P 2 1M 64k");
    Qemu.img("snapshot", "-c", "s1", dir.resolve("snap.qcow2").toString());
    Qemu.io(dir.resolve("snap.qcow2"), "write -P 3 0 64k", "write -z 1M 64k",
        "write -P 4 1536k 64k");

    ours(dir.resolve("ours.qcow2"));

    odd(dir.resolve("odd.raw"));

    Path raw = dir.resolve("sparse.raw");
    Qemu.img("create", "-f", "raw", raw.toString(), "3M");
    Qemu.ok("qemu-io", "-f", "raw", "-c", "write -P 1 0 64k", "-c", "write -P 2 1M 4k",
        "-c", "write -P 3 2M 1000", raw.toString());
  }

  private static void odd(Path p) throws IOException {
    // A raw file that ends inside a sector: QEMU sees it in whole sectors, the tail as zeros.
    byte[] b = new byte[1000];
    new Random(11).nextBytes(b);
    Files.write(p, b);
  }

  private static void qcow2(Path dir, String name, String size, String options,
      String... io) throws IOException {
    Path p = dir.resolve(name);
    if (options == null) {
      Qemu.img("create", "-f", "qcow2", p.toString(), size);
    } else {
      Qemu.img("create", "-f", "qcow2", "-o", options, p.toString(), size);
    }
    Qemu.io(p, io);
  }

  /** An image this library made: seeded writes and zero writes over 64 KiB clusters. */
  private static void ours(Path p) throws IOException {
    Random r = new Random(10);
    try (Qcow2Image image = Qcow2Image.create(p,
        CreateOptions.builder(6 << 20).clusterSize(16384).build())) {
      VirtualDisk disk = image.disk();
      for (int i = 0; i < 24; i++) {
        long at = r.nextInt(6 << 20) & ~511L;
        int len = 512 + r.nextInt(40000);
        len = (int) Math.min(len, disk.size() - at);
        if (i % 4 == 3) {
          disk.writeZeros(at & ~16383L, 16384);
        } else {
          byte[] b = new byte[len];
          r.nextBytes(b);
          disk.write(ByteBuffer.wrap(b), at);
        }
      }
    }
  }

  /** Whether a test may use this image (qemu-img made the matrix). */
  static boolean exists(Path dir, String name) {
    return Files.exists(dir.resolve(name));
  }
}
