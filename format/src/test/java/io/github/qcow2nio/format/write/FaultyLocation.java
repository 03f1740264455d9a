package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.testing.Knobs;
import io.github.qcow2nio.format.io.FileChannelHostFile;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.PathLocation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * In-memory files that fail on purpose at one chosen host write or force (a "fault point"; the
 * points are numbered across every file of the image): an I/O error for that call alone (a torn
 * write: a random prefix lands), an interrupt that closes the channel as the JDK does (the write
 * may or may not land), or a crash after which every call fails (the world stops). The files'
 * contents can then be taken as every completed write (the process died) or as what was forced
 * plus a random subset of the unforced writes (the power failed, and the disk reordered or
 * dropped what was not flushed).
 *
 * <p>Files are served through the production {@link FileChannelHostFile} over an in-memory
 * {@link java.nio.channels.FileChannel}, so an interrupt goes through the real reopen path.
 */
final class FaultyLocation implements ImageLocation {
  static final class Crashed extends IOException {
    private static final long serialVersionUID = 1L;

    Crashed() {
      super("simulated crash");
    }
  }

  /** An injected I/O error (not a crash: later calls succeed). */
  static final class InjectedIoError extends IOException {
    private static final long serialVersionUID = 1L;

    InjectedIoError(long point) {
      super("injected I/O error at fault point " + point);
    }
  }

  /** What happens at the chosen fault point. */
  enum Mode {
    IO_ERROR, INTERRUPT, CRASH, POWER_LOSS;

    boolean stopsTheWorld() {
      return this == CRASH || this == POWER_LOSS;
    }
  }

  /** Shared by all files of one image: the fault points counted so far and the one chosen. */
  static final class Crash {
    /** Countdown to a crash (the older interface): -1 never; 0 crashes at the next write. */
    long writesLeft = -1;
    boolean crashed;
    /** Fault points (writes, truncates, forces) seen so far. */
    long points;
    /** The point to fail at, or -1. */
    long target = -1;
    Mode mode = Mode.CRASH;
    /** Decides torn-write lengths and whether an interrupted write landed. */
    Random rnd = new Random(1);
    /** Set when the chosen fault has fired. */
    boolean fired;
    /**
     * Instead of {@link #target}: fail the {@link #insideIndex}th fault point (0 first, -1 the
     * last of a dry run, which only counts) met while a method of this name is on the stack.
     */
    String inside;
    long insideIndex;
    /** Fault points met inside {@link #inside} so far. */
    long insideSeen;
    /** The world stops at the next force (whatever the fault point). */
    boolean crashAtNextForce;
    /** Whether an I/O error may land a prefix of the write (false: nothing lands). */
    boolean tornWrites = true;

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

    /** Counts one fault point; true when this is the chosen one (crash modes stop here). */
    boolean atFaultPoint() throws Crashed {
      check();
      long p = points++;
      if (inside != null) {
        String m = inside;
        if (fired || !StackWalker.getInstance().walk(
            frames -> frames.anyMatch(f -> f.getMethodName().equals(m)))) {
          return false;
        }
        if (insideSeen++ != insideIndex) {
          return false;
        }
      } else if (p != target) {
        return false;
      }
      fired = true;
      if (Knobs.FAULT_TRACE) {
        new Throwable("fault point " + p + ": " + mode).printStackTrace();
      }
      if (mode.stopsTheWorld()) {
        crashed = true;
        throw new Crashed();
      }
      return true;
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
    return new FileChannelHostFile(name, () -> new FaultyChannel(f, writable), writable);
  }

  @Override
  public HostFile create() throws IOException {
    crash.check();
    File f = files.get(name);
    if (f == null) {
      files.put(name, new File(crash));
    } else {
      f.truncate(0);
    }
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
    final Crash crash;
    byte[] current = new byte[0];
    byte[] durable = new byte[0];
    final List<Object[]> pending = new ArrayList<>();

    File(Crash crash) {
      this.crash = crash;
    }

    /** A file holding {@code bytes}, all of them durable. */
    static File of(Crash crash, byte[] bytes) {
      File f = new File(crash);
      f.current = bytes.clone();
      f.durable = bytes.clone();
      return f;
    }

    synchronized void write(byte[] data, long pos) throws IOException {
      crash.beforeWrite();
      apply(data, pos);
    }

    synchronized void apply(byte[] data, long pos) {
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

    /**
     * A power failure in which only the unforced writes from the {@code first}th on landed (the
     * disk reordered them ahead of the earlier ones).
     */
    synchronized byte[] afterPowerLossKeepingFrom(int first) {
      byte[] b = durable.clone();
      for (Object[] w : pending.subList(Math.min(first, pending.size()), pending.size())) {
        b = w[0] == null ? Arrays.copyOf(b, (int) (long) (Long) w[1])
            : apply(b, (byte[]) w[0], (int) (long) (Long) w[1]);
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

  /**
   * Returns when {@code e} is the injected fault or what the JDK or the operation makes of it
   * (an interrupt); a crash propagates as itself, wherever it is in the chain of causes; any
   * other failure is the operation's own, and fails the test.
   */
  static void requireInjected(IOException e, String what) throws IOException {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Crashed c) {
        throw c;
      }
      if (t instanceof InjectedIoError || t instanceof java.nio.channels.ClosedByInterruptException
          || t instanceof java.io.InterruptedIOException) {
        return;
      }
    }
    throw new AssertionError(what + " failed with something other than the injected fault", e);
  }
}
