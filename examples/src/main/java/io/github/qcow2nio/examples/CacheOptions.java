package io.github.qcow2nio.examples;

import java.util.Set;
import picocli.CommandLine.Option;

/**
 * {@code -t cache} and {@code -T src_cache}, for the commands qemu-img gives them (check,
 * commit, compare, convert, rebase, amend): accepted and checked as qemu-img checks them. This
 * library reads and writes through the JDK's channels, which have no cache modes to choose,
 * except that {@code unsafe} (convert's default) forces nothing to stable storage.
 */
final class CacheOptions {
  private static final Set<String> MODES =
      Set.of("none", "writeback", "writethrough", "directsync", "unsafe");

  /** -t alone, for the commands that only write (commit, amend). */
  static final class Target {
    @Option(names = "-t", paramLabel = "cache",
        description = "the cache mode of the image written: none, writeback, writethrough, "
            + "directsync or unsafe (accepted; the JDK chooses)")
    String cache;

    void check() throws ToolError {
      CacheOptions.check("Invalid cache option: ", cache);
    }

    /**
     * Whether writes are forced to stable storage: every mode but {@code unsafe}, which
     * ignores flushes ({@code defaultMode} when -t is not given).
     */
    boolean forcesWrites(String defaultMode) {
      return !"unsafe".equals(cache == null ? defaultMode : cache);
    }
  }

  /** -T alone, for the commands that only read (check, compare). */
  static final class Source {
    @Option(names = "-T", paramLabel = "src_cache",
        description = "the cache mode of the images read, as -t (accepted; the JDK chooses)")
    String sourceCache;

    void check() throws ToolError {
      CacheOptions.check("Invalid source cache option: ", sourceCache);
    }
  }

  private CacheOptions() {}

  private static void check(String what, String mode) throws ToolError {
    if (mode != null && !MODES.contains(mode)) {
      throw ToolError.of(what + mode);
    }
  }
}
