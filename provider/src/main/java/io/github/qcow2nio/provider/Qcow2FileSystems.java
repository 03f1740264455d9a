package io.github.qcow2nio.provider;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.HashMap;
import java.util.Map;

/**
 * Creating and opening qcow2 file systems from a {@code Path} without the JDK's provider
 * search. {@code FileSystems.newFileSystem(path, Map.of("create", "true", ...))} offers the
 * request to the zip provider first, which makes an empty zip file wherever it is asked to;
 * {@link #create} goes to the qcow2 provider alone. (The URI form,
 * {@code FileSystems.newFileSystem(URI.create("qcow2:" + path.toUri()), env)}, is also safe: a
 * URI names its provider.)
 */
public final class Qcow2FileSystems {
  private Qcow2FileSystems() {}

  /**
   * Creates a new image at {@code image} (on any provider) as {@code env}'s creation keys say
   * ({@code size} or {@code backingFile} needed) and opens its file system read-write. An
   * existing file is never replaced: {@link FileAlreadyExistsException}.
   */
  public static Qcow2FileSystem create(Path image, Map<String, ?> env) throws IOException {
    if (java.nio.file.Files.exists(image)) {
      throw new FileAlreadyExistsException(image.toString());
    }
    Map<String, Object> e = new HashMap<>(env);
    e.put("create", "true");
    return provider().newFileSystem(image, e);
  }

  /** Opens the existing image at {@code image} (on any provider) with the qcow2 provider. */
  public static Qcow2FileSystem open(Path image, Map<String, ?> env) throws IOException {
    if (!java.nio.file.Files.exists(image)) {
      throw new java.nio.file.NoSuchFileException(image.toString());
    }
    return provider().newFileSystem(image, env);
  }

  /** The installed qcow2 provider, or a new one (they share the table of open images). */
  static Qcow2FileSystemProvider provider() {
    for (FileSystemProvider p : FileSystemProvider.installedProviders()) {
      if (p instanceof Qcow2FileSystemProvider q) {
        return q;
      }
    }
    return new Qcow2FileSystemProvider();
  }
}
