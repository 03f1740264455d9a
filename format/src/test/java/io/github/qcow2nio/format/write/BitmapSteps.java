package io.github.qcow2nio.format.write;

import io.github.qcow2nio.format.BitmapOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.struct.BitmapDirectoryEntry;
import java.io.IOException;
import java.util.Optional;

/**
 * Bitmap operations ({@link Qcow2Image#editBitmap}) as fault-sweep steps. They change no guest
 * byte, so the model stays as it is; what the sweep judges is that the image stays consistent
 * ({@code qemu-img check}: no errors, leaks allowed) and opens, whatever write, force or crash
 * fails. Each is retried after a failure and does only what is still missing: a failed call may
 * have switched the directory already (its failure came after the switch, while freeing).
 */
final class BitmapSteps {
  private BitmapSteps() {}

  private abstract static class Step implements FaultStep {
    private final String text;

    Step(String text) {
      this.text = text;
    }

    @Override
    public void model(FaultSweep.Expected e, boolean done) {}

    @Override
    public boolean mustRetry() {
      return true;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  private static Optional<BitmapDirectoryEntry> find(Qcow2Image image, String name) {
    return image.bitmaps().stream().filter(b -> b.name().equals(name)).findFirst();
  }

  static FaultStep add(String name, long granularity, boolean enabled) {
    return new Step("bitmap add " + name) {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        if (find(image, name).isEmpty()) {
          image.editBitmap(BitmapOptions.builder(name).add().granularity(granularity)
              .disabled(!enabled).build());
        }
      }
    };
  }

  static FaultStep remove(String name) {
    return new Step("bitmap remove " + name) {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        if (find(image, name).isPresent()) {
          image.editBitmap(BitmapOptions.builder(name).remove().build());
        }
      }
    };
  }

  /** Clear, enable, disable and merge are repeatable as they are. */
  static FaultStep edit(String text, BitmapOptions options) {
    return new Step("bitmap " + text) {
      @Override
      public void apply(Qcow2Image image) throws IOException {
        image.editBitmap(options);
      }
    };
  }
}
