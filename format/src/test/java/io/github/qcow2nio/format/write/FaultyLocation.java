package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.PathLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * In-memory files that can crash: after a chosen number of writes every further call fails (the
 * world stops), and the files' contents can then be taken either as every completed write (the
 * process died) or as what was forced plus a random subset of the unforced writes (the power
 * failed, and the disk reordered or dropped what was not flushed).
 */
final class FaultyLocation implements ImageLocation {
  static final class Crashed extends IOException {
    private static final long serialVersionUID = 1L;

    Crashed() {
      super("simulated crash");
    }
  }

  /** Shared by all files of one image: the write countdown. */
  static final class Crash {
    long writesLeft = -1;
    boolean crashed;

    void beforeWrite() throws Crashed {
      check();
      if (writesLeft == 0) {
        crashed = true;
        throw new Crashed();
      }
      if (writesLeft > 0) {
        writesLeft--;
      }
    }

    void check() throws Crashed {
      if (crashed) {
        throw new Crashed();
      }
    }
  }

  private final String name;
  private final Map<String, File> files;
  private final Crash crash;
  private final Path dir;

  FaultyLocation(String name, Map<String, File> files, Crash crash, Path dir) {
    this.name = name;
    this.files = files;
    this.crash = crash;
    this.dir = dir;
  }

  static FaultyLocation root(String name, Crash crash, Path dir) {
    return new FaultyLocation(name, new HashMap<>(), crash, dir);
  }

  Map<String, File> files() {
    return files;
  }

  @Override
  public String displayName() {
    return name;
  }

  @Override
  public Object identity() {
    return "faulty:" + name;
  }

  @Override
  public HostFile open(boolean writable) throws IOException {
    File f = files.get(name);
    if (f == null) {
      throw new java.nio.file.NoSuchFileException(name);
    }
    return new Handle(f, writable);
  }

  @Override
  public HostFile create() throws IOException {
    crash.check();
    files.put(name, new File(crash));
    return open(true);
  }

  @Override
  public ImageLocation resolve(String other) throws IOException {
    if (files.containsKey(other) || other.endsWith(".data")) {
      return new FaultyLocation(other, files, crash, dir);
    }
    return new PathLocation(dir.resolve(other));
  }

  /** One file's states. */
  static final class File {
    private final Crash crash;
    byte[] current = new byte[0];
    byte[] durable = new byte[0];
    final List<Object[]> pending = new ArrayList<>();

    File(Crash crash) {
      this.crash = crash;
    }

    synchronized void write(byte[] data, long pos) throws IOException {
      crash.beforeWrite();
      current = apply(current, data, (int) pos);
      pending.add(new Object[] {data, pos});
    }

    synchronized void truncate(long size) throws IOException {
      crash.beforeWrite();
      current = Arrays.copyOf(current, (int) size);
      pending.add(new Object[] {null, size});
    }

    synchronized void force() throws IOException {
      crash.check();
      durable = current.clone();
      pending.clear();
    }

    /** What a power failure leaves: forced state plus a random subset of later writes. */
    synchronized byte[] afterPowerLoss(Random rnd) {
      byte[] b = durable.clone();
      for (Object[] w : pending) {
        if (rnd.nextBoolean()) {
          b = w[0] == null ? Arrays.copyOf(b, (int) (long) (Long) w[1])
              : apply(b, (byte[]) w[0], (int) (long) (Long) w[1]);
        }
      }
      return b;
    }

    private static byte[] apply(byte[] b, byte[] data, int pos) {
      if (pos + data.length > b.length) {
        b = Arrays.copyOf(b, pos + data.length);
      }
      System.arraycopy(data, 0, b, pos, data.length);
      return b;
    }
  }

  private static final class Handle implements HostFile {
    private final File f;
    private final boolean writable;

    Handle(File f, boolean writable) {
      this.f = f;
      this.writable = writable;
    }

    @Override
    public String name() {
      return "faulty";
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      synchronized (f) {
        f.crash.check();
        if (position >= f.current.length) {
          return 0;
        }
        int n = (int) Math.min(dst.remaining(), f.current.length - position);
        dst.put(f.current, (int) position, n);
        return n;
      }
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      byte[] b = new byte[src.remaining()];
      src.get(b);
      f.write(b, position);
    }

    @Override
    public long size() throws IOException {
      synchronized (f) {
        f.crash.check();
        return f.current.length;
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      f.truncate(size);
    }

    @Override
    public void force() throws IOException {
      f.force();
    }

    @Override
    public boolean isWritable() {
      return writable;
    }

    @Override
    public void close() {}
  }
}
