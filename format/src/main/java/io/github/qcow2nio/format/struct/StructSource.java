package io.github.qcow2nio.format.struct;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where the parsers of variable-length structures (the snapshot table, the bitmap directory) get
 * their bytes, without knowing of files: the layer above reads them from the image.
 */
@FunctionalInterface
public interface StructSource {

  /**
   * The {@code length} bytes at {@code offset}, flipped for reading; an exception naming {@code
   * what} when they are not all there.
   */
  ByteBuffer read(String what, long offset, int length) throws IOException;
}
