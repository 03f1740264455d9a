package io.github.qcow2nio.provider;

import io.github.qcow2nio.nio.NestedFileStore;
import java.io.IOException;

/** The one store of a qcow2 file system: its image. Space is the active disk's virtual size. */
final class Qcow2FileStore extends NestedFileStore {
  private final Qcow2FileSystem fs;

  Qcow2FileStore(Qcow2FileSystem fs) {
    super(fs);
    this.fs = fs;
  }

  @Override
  public String name() {
    return fs.imagePath().toString();
  }

  @Override
  public String type() {
    return "qcow2";
  }

  @Override
  public long getTotalSpace() throws IOException {
    fs.checkOpen();
    return fs.image().disk().size();
  }
}
