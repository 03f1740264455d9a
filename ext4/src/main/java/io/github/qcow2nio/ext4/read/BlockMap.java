package io.github.qcow2nio.ext4.read;

import java.io.IOException;

/** Where a file's logical blocks live: an extent tree or the classic indirect block map. */
interface BlockMap {
  /**
   * The run of blocks starting at logical block {@code logical}: {@code length >= 1} blocks
   * stored from {@code physical} on, or reading as zeros when {@code physical} is 0 (a hole or an
   * uninitialised extent).
   */
  record Run(long logical, long physical, long length) {
    boolean isZeros() {
      return physical == 0;
    }
  }

  Run find(long logical) throws IOException;
}
