package io.github.qcow2nio.format;

import io.github.qcow2nio.format.CheckOptions.Repair;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.ops.ImageCheck;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code qemu-img check [-r leaks|all]}: checks an image's metadata and, when asked, repairs it.
 * The image is opened as qemu-img's check opens it: with its backing chain, without the repair
 * a writable open does to a dirty image, and writable, even when marked corrupt, only when a
 * repair is asked for.
 *
 * <pre>{@code
 * CheckResult r = Qcow2Check.check(Path.of("vm.qcow2"), CheckOptions.check());
 * if (r.leaks() > 0) {
 *   Qcow2Check.check(Path.of("vm.qcow2"), CheckOptions.repair(CheckOptions.Repair.LEAKS));
 * }
 * }</pre>
 */
public final class Qcow2Check {
  private Qcow2Check() {}

  public static CheckResult check(Path image, CheckOptions options) throws IOException {
    return check(new PathLocation(image), options);
  }

  /**
   * Checks the image at {@code location}.
   *
   * @throws IOException when the image cannot be opened (as qemu-img, which then checks nothing),
   *     when the check cannot complete (an {@link java.io.InterruptedIOException} when
   *     cancelled), or "Check failed" when a repair of leaks alone would need the refcount
   *     structures rebuilt
   */
  public static CheckResult check(ImageLocation location, CheckOptions options)
      throws IOException {
    boolean repair = options.repair() != Repair.NONE;
    HostFile file = location.open(repair);
    try {
      if (options.locking()) {
        file.lock(LockPermissions.image(repair, options.forceShare()));
      }
      // With its backing chain, as qemu-img opens it: an image whose backing file is missing
      // cannot be checked.
      OpenOptions parse = OpenOptions.builder().locking(false)
          .keySecret(options.keySecret()).backingKeys(options.backingKeys())
          .referencePolicy(options.referencePolicy()).build();
      try (Qcow2Image image = Qcow2Image.open(location, parse)) {
        return ImageCheck.run(image, file, options);
      }
    } finally {
      file.close();
    }
  }
}
