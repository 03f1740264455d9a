package io.github.qcow2nio.ext4;

import io.github.qcow2nio.ext4.disk.DirEntry;
import io.github.qcow2nio.ext4.read.Directory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedDirectoryStreamException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** A directory's entries, read from the disk a block at a time as the iterator advances. */
final class Ext4DirectoryStream implements DirectoryStream<Path> {
  private final Ext4FileSystem fs;
  private final Ext4Path dir;
  private final Directory.Cursor cursor;
  private final Filter<? super Path> filter;
  private volatile boolean closed;
  private boolean iterated;

  Ext4DirectoryStream(Ext4FileSystem fs, Ext4Path dir, Directory directory,
      Filter<? super Path> filter) {
    this.fs = fs;
    this.dir = dir;
    this.cursor = directory.cursor();
    this.filter = filter;
  }

  @Override
  public synchronized Iterator<Path> iterator() {
    if (closed) {
      throw new ClosedDirectoryStreamException();
    }
    if (iterated) {
      throw new IllegalStateException("a directory stream is iterated once");
    }
    iterated = true;
    return new Iterator<>() {
      private final Deque<DirEntry> pending = new ArrayDeque<>();
      private boolean exhausted;
      private Path next;

      @Override
      public boolean hasNext() {
        try {
          while (next == null && !closed) {
            if (pending.isEmpty()) {
              if (exhausted) {
                return false;
              }
              List<DirEntry> chunk = cursor.next();
              if (chunk == null) {
                exhausted = true;
                return false;
              }
              pending.addAll(chunk);
              continue;
            }
            Path p = dir.resolve(new String(pending.poll().name(), StandardCharsets.UTF_8));
            if (filter == null || filter.accept(p)) {
              next = p;
            }
          }
        } catch (IOException e) {
          throw new DirectoryIteratorException(e);
        }
        return next != null;
      }

      @Override
      public Path next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Path p = next;
        next = null;
        return p;
      }
    };
  }

  @Override
  public void close() {
    closed = true;
    fs.unregister(this);
  }
}
