package io.github.qcow2nio.format.codec;

/**
 * Whether zstd-jni can be used here: its classes visible (on the module path our module only
 * {@code requires static} it, so it must be in the module graph) and its native library loaded.
 */
final class ZstdAvailability {
  static final boolean AVAILABLE;
  /** Why not, for the error message. */
  static final String WHY;

  static {
    String why = null;
    try {
      Class.forName("com.github.luben.zstd.Zstd", true, ZstdAvailability.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      why = "it was not found";
    } catch (LinkageError e) {
      why = "it did not load: " + e;
    }
    AVAILABLE = why == null;
    WHY = why == null ? "" : why;
  }

  private ZstdAvailability() {}
}
