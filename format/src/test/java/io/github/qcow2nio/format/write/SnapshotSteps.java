package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.Qcow2Image;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Snapshot operations as fault-sweep steps. Each is retried after a failure (the workload depends
 * on it), and a retry finds the operation done or not done, never half: a failed call may have
 * switched the image already (its header write failed after memory took the new tables), so the
 * retry only does what is still missing.
 *
 * <p>Every snapshot operation first flushes, and completes durably: when it returns, the model is
 * flushed. A crash inside one leaves the old state or the new one: the snapshots before or after
 * it, and for a revert the old disk or the snapshot's, byte by byte.
 */
final class SnapshotSteps {
  private SnapshotSteps() {}

  /** The snapshots the seed image already holds (no call: it only sets the model). */
  static FaultStep known(Map<String, byte[]> snapshots) {
    return new Step("known snapshots " + snapshots.keySet()) {
      @Override
      public void apply(Qcow2Image image) {}

      @Override
      public void model(FaultSweep.Expected e, boolean done) {
        e.snapshots = new LinkedHashMap<>();
        snapshots.forEach((n, b) -> e.snapshots.put(n, new DiskModel(b)));
      }
    };
  }

  static FaultStep create(String name) {
    return new Step("snapshot create " + name) {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        if (image.findSnapshot(name).isEmpty()) {
          image.createSnapshot(name);
        }
      }

      @Override
      Map<String, DiskModel> after(FaultSweep.Expected e) {
        Map<String, DiskModel> m = new LinkedHashMap<>(e.snapshots);
        m.put(name, e.model.copy());
        return m;
      }
    };
  }

  static FaultStep delete(String name) {
    return new Step("snapshot delete " + name) {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        if (image.findSnapshot(name).isPresent()) {
          image.deleteSnapshot(name);
        }
      }

      @Override
      Map<String, DiskModel> after(FaultSweep.Expected e) {
        Map<String, DiskModel> m = new LinkedHashMap<>(e.snapshots);
        m.remove(name);
        return m;
      }
    };
  }

  static FaultStep rename(String from, String to) {
    return new Step("snapshot rename " + from + " " + to) {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        if (image.findSnapshot(from).isPresent()) {
          image.renameSnapshot(from, to);
        }
      }

      @Override
      Map<String, DiskModel> after(FaultSweep.Expected e) {
        Map<String, DiskModel> m = new LinkedHashMap<>();
        e.snapshots.forEach((n, d) -> m.put(n.equals(from) ? to : n, d));
        return m;
      }
    };
  }

  /** A revert: applying the same snapshot again is the same revert. */
  static FaultStep apply(String name) {
    return new Step("snapshot apply " + name) {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        image.applySnapshot(name);
      }

      @Override
      public void model(FaultSweep.Expected e, boolean done) {
        DiskModel snap = e.snapshots.get(name);
        if (done) {
          e.model = snap.copy();
          e.flushed();
        } else {
          e.snapshotsIfDone = e.snapshots;
          e.flushed = e.flushed.union(snap);
          e.model = e.model.union(snap);
        }
      }
    };
  }

  private abstract static class Step implements FaultStep {
    private final String name;

    Step(String name) {
      this.name = name;
    }

    Map<String, DiskModel> after(FaultSweep.Expected e) {
      return e.snapshots;
    }

    @Override
    public void model(FaultSweep.Expected e, boolean done) {
      Map<String, DiskModel> after = after(e);
      if (done) {
        e.snapshots = after;
        e.flushed();
      } else {
        e.snapshotsIfDone = after;
      }
    }

    @Override
    public boolean mustRetry() {
      return true;
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
