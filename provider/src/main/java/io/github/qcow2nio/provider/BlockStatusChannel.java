package io.github.qcow2nio.provider;

import java.io.IOException;

/**
 * Block status on a disk's channel: which ranges hold data and which read as zeros without
 * being stored, through the backing chain. The {@code FileChannel} that
 * {@code FileChannel.open(/disk)} or {@code Files.newByteChannel(/disk)} returns implements it:
 *
 * <pre>{@code
 * try (FileChannel ch = FileChannel.open(fs.getPath("/disk"))) {
 *   BlockStatusChannel status = (BlockStatusChannel) ch;
 *   for (long at = 0; at < ch.size(); ) {
 *     DiskExtent e = status.blockStatus(at, ch.size() - at);
 *     // e.data(): read and copy; e.zero(): skip
 *     at = e.end();
 *   }
 * }
 * }</pre>
 */
public interface BlockStatusChannel {

  /**
   * The run starting at {@code offset}, at most {@code maxLength} bytes and never past the end
   * of the disk, that has one status. {@code offset} must lie inside the disk and
   * {@code maxLength} be positive.
   */
  DiskExtent blockStatus(long offset, long maxLength) throws IOException;
}
