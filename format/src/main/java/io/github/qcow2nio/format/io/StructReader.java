package io.github.qcow2nio.format.io;

import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.struct.StructSource;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Reads a structure of known length from a host file, refusing anything past its end. */
public final class StructReader implements StructSource {
  private final HostFile file;
  private final long fileSize;

  public StructReader(HostFile file, long fileSize) {
    this.file = file;
    this.fileSize = fileSize;
  }

  @Override
  public ByteBuffer read(String what, long offset, int length) throws IOException {
    if (offset < 0 || length < 0 || offset > fileSize || fileSize - offset < length) {
      throw new CorruptImageException(what, offset,
          length + " bytes run past the end of " + file.name() + " (" + fileSize + " bytes)");
    }
    ByteBuffer b = ByteBuffer.allocate(length);
    int n = file.read(b, offset);
    if (n != length) {
      throw new CorruptImageException(what, offset,
          "read only " + n + " of " + length + " bytes from " + file.name());
    }
    return b.flip();
  }
}
