package io.github.qcow2nio.nio;

import java.io.IOException;
import java.nio.file.ClosedDirectoryStreamException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * A directory stream over names that come in batches: all at once for a directory listed when
 * the stream opens, a block at a time for one read from the disk as the iterator advances. It
 * keeps the contract of {@link DirectoryStream}: one iterator, none after close, the filter's
 * and the source's {@code IOException} as a {@link DirectoryIteratorException}, nothing more
 * after close.
 */
public final class BatchedDirectoryStream implements DirectoryStream<Path> {
  /** Where the names come from. */
  @FunctionalInterface
  public interface Batches {
    /** The next names, or null when the directory has no more. */
    List<String> next() throws IOException;
  }

  private final Path dir;
  private final Batches batches;
  private final Filter<? super Path> filter;
  private final Consumer<? super BatchedDirectoryStream> onClose;
  private volatile boolean closed;
  private boolean iterated;

  /**
   * {@code onClose} runs at every close: the file system forgets the stream there, so that
   * closing the file system closes it.
   */
  public BatchedDirectoryStream(Path dir, Batches batches, Filter<? super Path> filter,
      Consumer<? super BatchedDirectoryStream> onClose) {
    this.dir = dir;
    this.batches = batches;
    this.filter = filter;
    this.onClose = onClose;
  }

  /** A stream over names already listed. */
  public static BatchedDirectoryStream of(Path dir, List<String> names,
      Filter<? super Path> filter, Consumer<? super BatchedDirectoryStream> onClose) {
    boolean[] given = new boolean[1];
    return new BatchedDirectoryStream(dir, () -> {
      if (given[0]) {
        return null;
      }
      given[0] = true;
      return names;
    }, filter, onClose);
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
      private List<String> batch = List.of();
      private int index;
      private boolean exhausted;
      private Path next;

      @Override
      public boolean hasNext() {
        try {
          while (next == null && !closed) {
            if (index < batch.size()) {
              Path p = dir.resolve(batch.get(index++));
              if (filter == null || filter.accept(p)) {
                next = p;
              }
            } else if (exhausted) {
              break;
            } else {
              List<String> more = batches.next();
              exhausted = more == null;
              batch = exhausted ? List.of() : more;
              index = 0;
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
    onClose.accept(this);
  }
}
