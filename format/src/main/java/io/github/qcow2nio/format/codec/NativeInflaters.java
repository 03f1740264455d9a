package io.github.qcow2nio.format.codec;

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A native raw inflater faster than the JDK's, used for deflate clusters when the user has put
 * one on the class path: Intel's GKL ({@code com.intel.gkl:gkl}, ISA-L's inflate, about 3× the
 * JDK's on QEMU's 64 KiB clusters, bench/README.md). Found by name, so the core has no
 * dependency on it; checked once (its native library loads, and it inflates a known stream to
 * the known bytes), else the JDK's inflater is used. The system property {@value #PROPERTY}
 * names another class of the same shape (an {@link Inflater} with a {@code (boolean nowrap)}
 * constructor, optionally a GKL-style {@code boolean load(File)}), or {@code jdk} to turn it off.
 *
 * <p>Such an inflater has no cleaner: its native state is freed only by {@link Inflater#end}.
 * So instances live in one process-wide pool (as many as decompress at once, at most), never
 * one per thread, which the read-ahead's short-lived threads would leak.
 */
final class NativeInflaters {
  static final String PROPERTY = "qcow2nio.inflater";
  static final String GKL = "com.intel.gkl.compression.IntelInflater";

  private static final Constructor<? extends Inflater> CHOSEN =
      find(System.getProperty(PROPERTY, GKL));
  private static final ConcurrentLinkedQueue<Inflater> POOL = new ConcurrentLinkedQueue<>();

  private NativeInflaters() {}

  /** The native inflater class chosen at start-up, or null for the JDK's. */
  static Constructor<? extends Inflater> chosen() {
    return CHOSEN;
  }

  /** An inflater from the pool of {@code type}, or a new one. */
  static Inflater take(Constructor<? extends Inflater> type) throws ReflectiveOperationException {
    Inflater inf = type.equals(CHOSEN) ? POOL.poll() : null;
    return inf != null ? inf : type.newInstance(true);
  }

  /** Back to the pool after a good cluster; ended after a bad one (its state is unknown). */
  static void give(Constructor<? extends Inflater> type, Inflater inf, boolean good) {
    if (good && type.equals(CHOSEN)) {
      POOL.offer(inf);
    } else {
      inf.end();
    }
  }

  /** The class named, if it loads, is an inflater and passes the check; else null. */
  static Constructor<? extends Inflater> find(String className) {
    if (className == null || className.equals("jdk")) {
      return null;
    }
    try {
      Class<?> c = Class.forName(className, true, NativeInflaters.class.getClassLoader());
      if (!Inflater.class.isAssignableFrom(c)) {
        return null;
      }
      Constructor<? extends Inflater> k = c.asSubclass(Inflater.class).getConstructor(
          boolean.class);
      Inflater probe = k.newInstance(true);
      try {
        Method load = null;
        try {
          load = c.getMethod("load", File.class);
        } catch (NoSuchMethodException e) {
          // Not GKL-shaped: nothing to load.
        }
        // GKL unpacks its library into java.io.tmpdir (null) and says false when it cannot.
        if (load != null && !Boolean.TRUE.equals(load.invoke(probe, (Object) null))) {
          return null;
        }
        return inflatesKnownStream(probe) ? k : null;
      } finally {
        probe.end();
      }
    } catch (ReflectiveOperationException | DataFormatException | LinkageError
        | RuntimeException e) {
      // Absent, or present and broken here (no native library for this platform): the JDK's.
      return null;
    }
  }

  /** Deflates a cluster of text with the JDK and checks the candidate inflates it back. */
  private static boolean inflatesKnownStream(Inflater candidate) throws DataFormatException {
    byte[] plain = new byte[65536];
    for (int i = 0; i < plain.length; i++) {
      plain[i] = (byte) ("qcow2 cluster check " + (i / 4096)).charAt(i % 20);
    }
    Deflater d = new Deflater(6, true);
    byte[] stream = new byte[plain.length + 1024];
    int n;
    try {
      d.setInput(plain);
      d.finish();
      n = d.deflate(stream);
    } finally {
      d.end();
    }
    byte[] out = new byte[plain.length];
    candidate.reset();
    candidate.setInput(stream, 0, n);
    int got = 0;
    while (got < out.length) {
      int m = candidate.inflate(out, got, out.length - got);
      if (m == 0) {
        break;
      }
      got += m;
    }
    return got == out.length && Arrays.equals(plain, out);
  }
}
