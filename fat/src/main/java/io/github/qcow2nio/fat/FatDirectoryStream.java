package io.github.qcow2nio.fat;

import java.io.IOException;
import java.nio.file.ClosedDirectoryStreamException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** A directory's names, read when the stream opens (a consistent view under the lock). */
final class FatDirectoryStream implements DirectoryStream<Path> {
  private final FatFileSystem fs;
  private final FatPath dir;
  private final List<String> names;
  private final Filter<? super Path> filter;
  private volatile boolean closed;
  private boolean iterated;

  FatDirectoryStream(FatFileSystem fs, FatPath dir, List<String> names,
      Filter<? super Path> filter) {
    this.fs = fs;
    this.dir = dir;
    this.names = names;
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
      private int index;
      private Path next;

      @Override
      public boolean hasNext() {
        while (next == null && !closed && index < names.size()) {
          Path p = dir.resolve(names.get(index++));
          try {
            if (filter == null || filter.accept(p)) {
              next = p;
            }
          } catch (IOException e) {
            throw new DirectoryIteratorException(e);
          }
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
