package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.error.Qcow2Exception;
import java.io.IOException;
import java.nio.file.Path;

/** Creates a new image for {@code create=true}, through the core's create operation. */
final class ImageCreator {
  private ImageCreator() {}

  static void create(Path image, CreateOptions options) throws IOException {
    throw new Qcow2Exception(image + ": creating images needs the core's write path, "
        + "which this build does not have yet");
  }
}
