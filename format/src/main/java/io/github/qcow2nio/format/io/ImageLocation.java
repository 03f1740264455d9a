package io.github.qcow2nio.format.io;

import java.io.IOException;

/**
 * Where an image file lives, and how to find the files it names. Backing files and external data
 * files are named relative to the image that references them; a location resolves those names on
 * its own storage (a directory, a zip file, jimfs, another disk...).
 */
public interface ImageLocation {

  /** A name for messages. */
  String displayName();

  /**
   * A key equal for two locations of the same file (a real path, for example), used to refuse
   * backing chains that loop.
   */
  Object identity() throws IOException;

  /** Opens the file; {@code writable} asks for read-write access. */
  HostFile open(boolean writable) throws IOException;

  /**
   * Creates the file, or empties it when it exists (as {@code qemu-img create} does), and opens it
   * read-write.
   */
  default HostFile create() throws IOException {
    throw new IOException(displayName() + ": creating files is not supported by this location");
  }

  /** The location of a file named in this image's header, relative to this file's directory. */
  ImageLocation resolve(String name) throws IOException;
}
