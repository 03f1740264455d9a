package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.struct.CompressedDescriptor;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.L1Entry;
import io.github.qcow2nio.format.struct.L2Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test data and image inspection for compressed writes. */
final class CompressedImages {
  private CompressedImages() {}

  /** The compressed L2 entries of an image's active table, decoded straight from the file. */
  static List<CompressedDescriptor> descriptors(Path image) throws IOException {
    Header h;
    try (Qcow2Image img = Qcow2Image.open(image)) {
      h = img.header();
    }
    List<CompressedDescriptor> out = new ArrayList<>();
    int step = h.hasExtendedL2() ? 2 : 1;
    try (FileChannel ch = FileChannel.open(image)) {
      ByteBuffer l1 = ByteBuffer.allocate(8 * h.l1Size());
      ch.read(l1, h.l1TableOffset());
      l1.flip();
      while (l1.hasRemaining()) {
        long l2 = L1Entry.l2Offset(l1.getLong());
        if (l2 == 0) {
          continue;
        }
        ByteBuffer t = ByteBuffer.allocate(h.clusterSize());
        ch.read(t, l2);
        t.flip();
        for (int i = 0; i < h.clusterSize() / 8; i += step) {
          long w = t.getLong(8 * i);
          if ((w & L2Entry.COMPRESSED) != 0) {
            out.add(CompressedDescriptor.decode(w, h.clusterBits()));
          }
        }
      }
    }
    return out;
  }

  /** How many compressed streams run from one host cluster into the next. */
  static long straddling(List<CompressedDescriptor> ds, int clusterBits) {
    return ds.stream().filter(d -> (d.offset() >>> clusterBits)
        != ((d.offset() + d.readLength() - 1) >>> clusterBits)).count();
  }

  /**
   * {@code len} bytes that compress, unevenly: pieces of {@code piece} bytes, each a random prefix
   * of random length and then one repeated byte.
   */
  static byte[] compressible(java.util.Random r, int len, int piece) {
    byte[] b = new byte[len];
    for (int start = 0; start < len; start += piece) {
      int end = Math.min(len, start + piece);
      int cut = start + r.nextInt(Math.max(1, (end - start) * 3 / 4));
      for (int i = start; i < cut; i++) {
        b[i] = (byte) r.nextInt();
      }
      java.util.Arrays.fill(b, cut, end, (byte) r.nextInt(256));
    }
    return b;
  }

  /**
   * Clusters of every compressed length: most a random prefix of random length then one repeated
   * byte, some all zeros, some random (stored normally). Consecutive compressed clusters then pack
   * unevenly, and some run from one host cluster into the next.
   */
  static byte[] varied(long seed, int length, int cluster) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] b = new byte[length];
    for (int start = 0; start < length; start += cluster) {
      int end = Math.min(length, start + cluster);
      int kind = r.nextInt(10);
      int cut = kind == 0 ? start : kind == 1 ? end
          : start + r.nextInt(Math.max(1, (end - start) * 9 / 10));
      for (int i = start; i < cut; i++) {
        b[i] = (byte) r.nextInt();
      }
      if (kind != 0) {
        java.util.Arrays.fill(b, cut, end, (byte) (1 + r.nextInt(255)));
      }
    }
    return b;
  }

  /**
   * A few MiB as a disk holds them: text-like runs (a Zipf-ish vocabulary with numbers, like logs
   * and sources), random blocks (already compressed files), zero stretches (free space), and
   * partly compressible blocks; in 64 KiB pieces so every cluster size sees a mix.
   */
  static byte[] realisticMix(long seed, int length) {
    SplittableRandom r = new SplittableRandom(seed);
    String[] words = ("the of and to in is that for it as with was on be by this are or from at "
        + "an which have not but all were when can there been if more will would other into has "
        + "qcow2 cluster refcount table offset header image snapshot bitmap allocate write read "
        + "return static final public private void long int byte buffer throws IOException "
        + "{ } ( ) ; = == != + - * / 0x 0 1 2 3 4 5 6 7 8 9 null true false new if else for while")
        .split(" ");
    byte[] b = new byte[length];
    int piece = 65536;
    for (int start = 0; start < length; start += piece) {
      int end = Math.min(length, start + piece);
      int kind = r.nextInt(10);
      if (kind < 5) {
        StringBuilder s = new StringBuilder();
        while (s.length() < end - start) {
          int w = (int) Math.min(words.length - 1, Math.abs(r.nextDouble() * r.nextDouble())
              * words.length);
          s.append(words[w]);
          int c = r.nextInt(12);
          s.append(c == 0 ? "\n" : c == 1 ? ", " : c == 2 ? " " + r.nextInt(100000) + " " : " ");
        }
        byte[] t = s.toString().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(t, 0, b, start, end - start);
      } else if (kind < 7) {
        for (int i = start; i < end; i++) {
          b[i] = (byte) r.nextInt();
        }
      } else if (kind < 9) {
        // zeros
      } else {
        int cut = start + r.nextInt(end - start);
        for (int i = start; i < cut; i++) {
          b[i] = (byte) r.nextInt();
        }
        java.util.Arrays.fill(b, cut, end, (byte) r.nextInt(256));
      }
    }
    return b;
  }
}
