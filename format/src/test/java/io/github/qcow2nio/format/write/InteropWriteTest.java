package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.testing.Knobs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.testing.Qemu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * Images made and written by qemu (compressed clusters, zero clusters, internal snapshots) then
 * written by us; images written by us then written by qemu-io, then by us again. After each
 * round qemu-img check finds no errors or leaks and qemu-img compare finds the model.
 */
@Tag("qemu")
class InteropWriteTest {
  static final int OPS = Knobs.OPS / 2;

  @TempDir Path dir;

  @Test
  void qemuImagesWithCompressedClustersAndSnapshotsThenOurWrites() throws Exception {
    Qemu.assumeAvailable();
    String[] variants = {"cluster_size=65536", "compat=0.10", "cluster_size=4096",
        "extended_l2=on", "cluster_size=16384,compression_type=zstd,refcount_bits=64",
        "preallocation=metadata", "preallocation=metadata,extended_l2=on",
        "preallocation=falloc,compat=0.10"};
    for (String v : variants) {
      Path img = dir.resolve("q.qcow2");
      Qemu.img("create", "-q", "-f", "qcow2", "-o", v, img.toString(), "4M");
      // Compressed writes need unallocated clusters: preallocated images get plain ones.
      String c = v.contains("preallocation") ? "" : "-c ";
      Qemu.io(img, "write " + c + "-P 0x31 0 256k", "write -P 0x32 256k 200k",
          "write -z 512k 128k", "write " + c + "-P 0x33 1M 64k", "write " + c + "-P 0x34 3M 128k");
      Qemu.img("snapshot", "-c", "s1", img.toString());
      Qemu.io(img, "write -P 0x35 100k 300k", "write " + c + "-P 0x36 2M 64k");
      Qemu.img("snapshot", "-c", "s2", img.toString());
      byte[] s1 = snapshotRaw(img, "s1");
      byte[] s2 = snapshotRaw(img, "s2");
      byte[] initial = Qemu.rawContents(img, dir);
      int cluster = clusterSize(v);
      boolean ext = v.contains("extended_l2=on");
      RandomOps ops = new RandomOps(v.hashCode(), initial, cluster, ext ? cluster / 32 : cluster,
          false, initial.length);
      Qcow2Image image = Qcow2Image.open(new NoSyncLocation(img), OpenOptions.readWrite());
      try {
        image = ops.run(image, () -> Qcow2Image.open(new NoSyncLocation(img),
            OpenOptions.readWrite()), OPS);
      } finally {
        image.close();
      }
      RandomOps.assertQemuAgrees(img, ops.model, dir, v + " (" + ops.stats() + ")");
      assertArrayEquals(s1, snapshotRaw(img, "s1"), v + ": snapshot s1 changed");
      assertArrayEquals(s2, snapshotRaw(img, "s2"), v + ": snapshot s2 changed");
    }
  }

  @Test
  void qemuOverlaysOverBackingFilesThenOurWrites() throws Exception {
    Qemu.assumeAvailable();
    Path base = dir.resolve("base.qcow2");
    Qemu.img("create", "-q", "-f", "qcow2", "-o", "cluster_size=16384", base.toString(), "3M");
    Qemu.io(base, "write -c -P 0x52 1M 64k", "write -P 0x51 0 1M", "write -P 0x53 1100k 1M",
        "write -z 2M 100k");
    for (String v : new String[] {"cluster_size=65536", "extended_l2=on,cluster_size=32768",
        "compat=0.10,cluster_size=4096", "extended_l2=on,preallocation=metadata"}) {
      Path img = dir.resolve("top.qcow2");
      Qemu.img("create", "-q", "-f", "qcow2", "-o", v + ",backing_file=base.qcow2,backing_fmt=qcow2",
          img.toString(), "4M");
      Qemu.io(img, "write -P 0x61 10k 20k", "write -z 500k 200k", "discard 1M 128k",
          "write -P 0x62 3M 70k");
      byte[] initial = Qemu.rawContents(img, dir);
      int cluster = v.contains("32768") ? 32768 : v.contains("4096") ? 4096 : 65536;
      boolean ext = v.contains("extended_l2=on");
      RandomOps ops = new RandomOps(v.hashCode(), initial, cluster, ext ? cluster / 32 : cluster,
          true, 6 << 20);
      Qcow2Image image = Qcow2Image.open(new NoSyncLocation(img), OpenOptions.readWrite());
      try {
        image = ops.run(image, () -> Qcow2Image.open(new NoSyncLocation(img),
            OpenOptions.readWrite()), OPS);
      } finally {
        image.close();
      }
      RandomOps.assertQemuAgrees(img, ops.model, dir, v + " (" + ops.stats() + ")");
    }
  }

  @Test
  void ourImagesThenQemuIoThenUsAgain() throws Exception {
    Qemu.assumeAvailable();
    CreateOptions[] configs = {
        CreateOptions.defaults(4 << 20),
        CreateOptions.builder(4 << 20).version(2).build(),
        CreateOptions.builder(4 << 20).clusterSize(512).refcountBits(2).build(),
        CreateOptions.builder(4 << 20).extendedL2(true).build(),
        CreateOptions.builder(4 << 20).lazyRefcounts(true).refcountBits(32).build(),
    };
    for (CreateOptions c : configs) {
      Path img = dir.resolve("o.qcow2");
      int unit = c.extendedL2() ? c.clusterSize() / 32 : c.clusterSize();
      RandomOps ops = new RandomOps(c.hashCode(), new byte[(int) c.size()], c.clusterSize(), unit,
          true, 2 * c.size());
      Qcow2Image image = Qcow2Image.create(new NoSyncLocation(img), c, OpenOptions.readWrite());
      image = ops.run(image, () -> Qcow2Image.open(new NoSyncLocation(img),
          OpenOptions.readWrite()), OPS / 2);
      image.close();
      RandomOps.assertQemuAgrees(img, ops.model, dir, c + " after us");

      qemuIoRound(img, ops, c.clusterSize(), new Random(c.hashCode() * 31L));
      RandomOps.assertQemuAgrees(img, ops.model, dir, c + " after qemu-io");

      image = Qcow2Image.open(new NoSyncLocation(img), OpenOptions.readWrite());
      ops.check(image.disk(), 0, ops.model.length);
      image = ops.run(image, () -> Qcow2Image.open(new NoSyncLocation(img),
          OpenOptions.readWrite()), OPS / 2);
      image.close();
      RandomOps.assertQemuAgrees(img, ops.model, dir, c + " after us again");
    }
  }

  /** Random writes, zero writes and aligned discards by qemu-io, applied to the model too. */
  private static void qemuIoRound(Path img, RandomOps ops, int cluster, Random rnd)
      throws Exception {
    List<String> cmds = new ArrayList<>();
    int size = ops.model.length;
    if (size < cluster) {
      return;
    }
    for (int i = 0; i < 60; i++) {
      int off = rnd.nextInt(size / 512) * 512;
      int len = Math.min(size - off, (1 + rnd.nextInt(3 * cluster / 512 + 8)) * 512);
      int kind = rnd.nextInt(10);
      if (kind < 6) {
        int p = 1 + rnd.nextInt(250);
        cmds.add("write -P " + p + " " + off + " " + len);
        Arrays.fill(ops.model, off, off + len, (byte) p);
      } else if (kind < 8) {
        cmds.add("write -z " + off + " " + len);
        Arrays.fill(ops.model, off, off + len, (byte) 0);
      } else {
        int c = rnd.nextInt(size / cluster) * cluster;
        int l = Math.min(size - c, (1 + rnd.nextInt(3)) * cluster);
        cmds.add("discard " + c + " " + l);
        Arrays.fill(ops.model, c, c + l, (byte) 0);
      }
    }
    Qemu.io(img, cmds.toArray(String[]::new));
  }

  private byte[] snapshotRaw(Path img, String snap) throws Exception {
    Path raw = dir.resolve("snap.raw");
    Qemu.img("convert", "-O", "raw", "-l", "snapshot.name=" + snap, img.toString(),
        raw.toString());
    byte[] b = Files.readAllBytes(raw);
    Files.delete(raw);
    return b;
  }

  private static int clusterSize(String v) {
    if (v.contains("cluster_size=4096")) {
      return 4096;
    }
    if (v.contains("cluster_size=16384")) {
      return 16384;
    }
    return 65536;
  }
}
