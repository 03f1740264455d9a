package io.github.qcow2nio.format.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.testing.QemuImg;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs a workload once per fault point (every host write, truncate and force, in turn) with one
 * fault there, and checks what is left:
 *
 * <ul>
 *   <li>an I/O error or an interrupt fails that call alone: the workload retries the call (even
 *       points) or goes on without it (odd points), later calls succeed, and at the end {@code
 *       qemu-img check} finds no errors (leaks allowed) and every byte reads as the calls that
 *       returned left it (a failed call's bytes may be old or new);
 *   <li>a crash (the files as of that write) or a power loss (what was forced plus a random subset
 *       of the rest): {@code qemu-img check} finds no errors, every byte not changed since the last
 *       successful flush reads as it was then, and the image opens writable, grows back and is
 *       written again with no data coming back from before a shrink.
 * </ul>
 */
final class FaultSweep {

  /** A workload: its image (created by the sweep, or opened from seed files) and its calls. */
  record Scenario(String name, Map<String, byte[]> seedFiles, CreateOptions create,
      byte[] initialContents, List<FaultStep> steps, Check extraCheck) {}

  /** A check of the image files after a run (for example, that a snapshot did not change). */
  @FunctionalInterface
  interface Check {
    void check(Path image, String what) throws IOException;
  }

  static final String IMAGE = "img.qcow2";
  /** The passphrase of the LUKS workloads; given on every open (plain images ignore it). */
  static final String PASSPHRASE = "sweep pass";

  static OpenOptions readOnly() {
    return OpenOptions.builder().keySecret(PASSPHRASE.toCharArray()).build();
  }

  static OpenOptions readWrite() {
    return OpenOptions.builder().writable(true).keySecret(PASSPHRASE.toCharArray()).build();
  }

  /** crypt_method in the header: qemu-img needs the secret to check such an image. */
  private static boolean encrypted(Path img) throws IOException {
    try (java.io.InputStream in = Files.newInputStream(img)) {
      byte[] h = in.readNBytes(36);
      return h.length == 36 && java.nio.ByteBuffer.wrap(h).getInt(32) != 0;
    }
  }
  private static final String BITMAPS_GAVE_UP = "inconsistent after a failed resize";

  /** What the disk must read as: the model, and for crashes the state of the last flush. */
  static final class Expected {
    DiskModel model;
    DiskModel flushed;
    final BitSet touched = new BitSet();
    final List<Integer> sizesSinceFlush = new ArrayList<>();
    int maxSize;
    /** The internal snapshots by name, when the workload tracks them (null otherwise). */
    Map<String, DiskModel> snapshots;
    /** After a crash inside a snapshot operation: the snapshots had it completed. */
    Map<String, DiskModel> snapshotsIfDone;

    Expected(byte[] contents) {
      model = new DiskModel(contents);
      flushed = model.copy();
      maxSize = contents.length;
    }

    void changed(int off, byte[] data, boolean done) {
      touched.set(off, off + data.length);
      if (done) {
        model.set(off, data);
      } else {
        model.setMaybe(off, data);
      }
    }

    void flushed() {
      flushed = model.copy();
      touched.clear();
      sizesSinceFlush.clear();
    }

    void resized(int size) {
      if (size < model.size()) {
        touched.set(size, model.size());
      }
      model.resize(size);
      sizesSinceFlush.add(size);
      maxSize = Math.max(maxSize, size);
    }
  }

  private final Scenario scenario;
  private final Path dir;

  FaultSweep(Scenario scenario, Path dir) {
    this.scenario = scenario;
    this.dir = dir;
  }

  /** The number of fault points of the workload when nothing fails. */
  long countPoints() throws IOException {
    FaultyLocation.Crash crash = new FaultyLocation.Crash();
    Outcome o = run(crash);
    if (o.closeFailed || o.crashed) {
      fail(scenario.name() + ": the workload failed without a fault");
    }
    return crash.points;
  }

  /** Runs the workload with a fault at {@code point} and checks the files it leaves. */
  void runAt(long point, FaultyLocation.Mode mode, int seed) throws IOException {
    FaultyLocation.Crash crash = new FaultyLocation.Crash();
    crash.target = point;
    crash.mode = mode;
    crash.rnd = new Random((point * 4 + mode.ordinal()) * 1000 + seed);
    String what = scenario.name() + ", " + mode + " at fault point " + point
        + (seed == 0 ? "" : " (seed " + seed + ")");
    Outcome o;
    try {
      o = run(crash);
    } finally {
      Thread.interrupted();
    }
    assertTrue(crash.fired, what + ": the fault point was never reached");
    Path img = writeFiles(o, crash.rnd, mode == FaultyLocation.Mode.POWER_LOSS);
    if (o.inCreate) {
      // Creation was not acknowledged: the file may be anything, but opening it must fail
      // cleanly or give a consistent image.
      try (Qcow2Image ignored = Qcow2Image.open(img, readOnly())) {
        checkQemu(img, what);
      } catch (IOException expected) {
        // A half-made image is refused with an exception, not misread.
      }
      return;
    }
    checkQemu(img, what);
    if (o.expected.snapshots != null) {
      checkSnapshots(img, o.expected, what);
    }
    if (o.crashed || o.closeFailed) {
      checkAfterCrash(img, o.expected, what);
    } else {
      checkContents(img, o.expected.model, what);
    }
    if (scenario.extraCheck() != null) {
      scenario.extraCheck().check(img, what);
    }
  }

  private static final class Outcome {
    FaultyLocation loc;
    Expected expected;
    boolean crashed;
    boolean closeFailed;
    boolean inCreate;
  }

  private Outcome run(FaultyLocation.Crash crash) throws IOException {
    Outcome o = new Outcome();
    o.loc = FaultyLocation.root(IMAGE, crash, dir);
    for (Map.Entry<String, byte[]> e : scenario.seedFiles().entrySet()) {
      o.loc.files().put(e.getKey(), FaultyLocation.File.of(crash, e.getValue()));
    }
    o.expected = new Expected(scenario.initialContents());
    Qcow2Image image = null;
    try {
      o.inCreate = scenario.create() != null;
      image = openWithRetry(o.loc);
      o.inCreate = false;
      for (FaultStep step : scenario.steps()) {
        runStep(step, image, o.expected, crash);
      }
      try {
        image.close();
      } catch (IOException e) {
        expectInjected(e, "close");
        o.closeFailed = true;
      }
    } catch (FaultyLocation.Crashed e) {
      o.crashed = true;
    }
    return o;
  }

  private Qcow2Image openWithRetry(FaultyLocation loc) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        return scenario.create() != null
            ? Qcow2Image.create(loc, scenario.create(), readWrite())
            : Qcow2Image.open(loc, readWrite());
      } catch (FaultyLocation.Crashed e) {
        throw e;
      } catch (IOException e) {
        expectInjected(e, "open");
        Thread.interrupted();
        if (attempt > 0) {
          throw e;
        }
      }
    }
  }

  private static void runStep(FaultStep step, Qcow2Image image, Expected e,
      FaultyLocation.Crash crash) throws IOException {
    try {
      step.apply(image);
      step.model(e, true);
      return;
    } catch (FaultyLocation.Crashed c) {
      step.model(e, false);
      throw c;
    } catch (Qcow2Exception refused) {
      if (crash.fired && refused.getMessage().contains(BITMAPS_GAVE_UP)) {
        // An earlier failed resize left the persistent bitmaps in use (inconsistent): resizing
        // is refused from then on, as qemu-img refuses it for any in-use bitmap.
        return;
      }
      throw refused;
    } catch (IOException failure) {
      expectInjected(failure, step.toString());
    }
    Thread.interrupted();
    boolean retry = step.mustRetry() || (crash.target & 1) == 0;
    if (!retry) {
      step.model(e, false);
      return;
    }
    // The fault was one call: the same call again must now succeed.
    step.apply(image);
    step.model(e, true);
  }

  /** A failure must be the injected one (or what the JDK makes of it), never a consequence. */
  private static void expectInjected(IOException e, String call) throws IOException {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof FaultyLocation.InjectedIoError || t instanceof ClosedByInterruptException
          || t instanceof FaultyLocation.Crashed) {
        if (t instanceof FaultyLocation.Crashed c) {
          throw c;
        }
        return;
      }
    }
    throw new AssertionError(call + " failed with something other than the injected fault", e);
  }

  private Path writeFiles(Outcome o, Random rnd, boolean powerLoss) throws IOException {
    for (Map.Entry<String, FaultyLocation.File> e : new LinkedHashMap<>(o.loc.files())
        .entrySet()) {
      FaultyLocation.File f = e.getValue();
      Files.write(dir.resolve(e.getKey()), powerLoss ? f.afterPowerLoss(rnd) : f.current);
    }
    return dir.resolve(IMAGE);
  }

  private static void checkQemu(Path img, String what) throws IOException {
    try (Qcow2Image image = Qcow2Image.open(img, readOnly())) {
      if (image.header().isDirty()) {
        // Lazy refcounts left dirty: qemu-img check itself reports such an image's refcounts
        // as errors until a writable open repairs it (checkAfterCrash does, then checks).
        return;
      }
    }
    QemuImg.Check c = encrypted(img) ? QemuImg.checkEncrypted(img, PASSPHRASE)
        : QemuImg.check(img);
    if (!c.consistent(true)) {
      fail(what + ": qemu-img check exit " + c.exitCode() + "\n" + c.output());
    }
  }

  /**
   * The image holds exactly the snapshots of the model (or, after a crash inside a snapshot
   * operation, those it would hold had the operation completed), each reading as modelled: no
   * snapshot lost, none reading what another tree wrote since.
   */
  private static void checkSnapshots(Path img, Expected e, String what) throws IOException {
    try (Qcow2Image image = Qcow2Image.open(img, readOnly())) {
      List<String> names = new ArrayList<>();
      image.snapshots().forEach(s -> names.add(s.name()));
      Map<String, DiskModel> expected = e.snapshots;
      if (!names.equals(new ArrayList<>(expected.keySet())) && e.snapshotsIfDone != null
          && names.equals(new ArrayList<>(e.snapshotsIfDone.keySet()))) {
        expected = e.snapshotsIfDone;
      }
      assertEquals(new ArrayList<>(expected.keySet()), names, what + ": snapshots");
      for (Map.Entry<String, DiskModel> s : expected.entrySet()) {
        var disk = image.snapshotDisk(s.getKey());
        byte[] b = new byte[(int) disk.size()];
        disk.read(ByteBuffer.wrap(b), 0);
        assertEquals(s.getValue().size(), b.length, what + ": size of snapshot " + s.getKey());
        for (int i = 0; i < b.length; i++) {
          String m = s.getValue().mismatch(i, b[i]);
          if (m != null) {
            fail(what + ": snapshot " + s.getKey() + " byte " + i + " reads " + b[i]
                + ", expected " + m);
          }
        }
      }
    }
  }

  private static byte[] readAll(Qcow2Image image) throws IOException {
    byte[] b = new byte[(int) image.disk().size()];
    image.disk().read(ByteBuffer.wrap(b), 0);
    return b;
  }

  private static void checkContents(Path img, DiskModel model, String what) throws IOException {
    try (Qcow2Image image = Qcow2Image.open(img, readOnly())) {
      byte[] b = readAll(image);
      assertEquals(model.size(), b.length, what + ": disk size");
      for (int i = 0; i < b.length; i++) {
        String m = model.mismatch(i, b[i]);
        if (m != null) {
          fail(what + ": guest byte " + i + " reads " + b[i] + ", expected " + m);
        }
      }
    }
  }

  private static void checkAfterCrash(Path img, Expected e, String what) throws IOException {
    int size;
    try (Qcow2Image image = Qcow2Image.open(img, readOnly())) {
      byte[] b = readAll(image);
      size = b.length;
      assertTrue(size == e.flushed.size() || e.sizesSinceFlush.contains(size),
          what + ": size " + size + ", flushed " + e.flushed.size() + ", since "
              + e.sizesSinceFlush);
      int n = Math.min(size, e.flushed.size());
      for (int i = e.touched.nextClearBit(0); i < n; i = e.touched.nextClearBit(i + 1)) {
        String m = e.flushed.mismatch(i, b[i]);
        if (m != null) {
          fail(what + ": guest byte " + i + " was flushed as " + m + " but reads " + b[i]);
        }
      }
      for (int i = e.touched.nextClearBit(n); i < size; i = e.touched.nextClearBit(i + 1)) {
        if (b[i] != 0) {
          fail(what + ": guest byte " + i + " of a part grown since the flush reads " + b[i]);
        }
      }
    }
    // Writable again (a dirty image is repaired), grown back over anything a shrink cut off
    // (which must stay gone), written, and still consistent.
    try (Qcow2Image image = Qcow2Image.open(img, readWrite())) {
      int max = Math.max(e.maxSize, e.flushed.size());
      // An in-use (crash-inconsistent) bitmap refuses resizing, as in qemu-img.
      boolean resizable = image.bitmaps().stream().noneMatch(b -> b.inUse());
      if (size < max && resizable) {
        image.disk().resize(max);
        byte[] grown = new byte[max - size];
        image.disk().read(ByteBuffer.wrap(grown), size);
        for (int i = 0; i < grown.length; i++) {
          if (grown[i] != 0) {
            fail(what + ": after growing back, guest byte " + (size + i) + " reads " + grown[i]
                + " (data from before a shrink came back)");
          }
        }
      }
      byte[] data = new byte[3000];
      new Random(size).nextBytes(data);
      image.disk().write(ByteBuffer.wrap(data), Math.max(0, image.disk().size() / 2 - 1500));
    }
    checkQemu(img, what + ", after reopening writable");
  }
}
