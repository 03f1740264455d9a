package io.github.qcow2nio.format.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A host file that hands every call to {@link #delegate()}: wrappers (encrypting, not forcing,
 * counting or failing in tests) override only the calls they change. A record
 * {@code (HostFile delegate)} implements it with nothing else. {@link #readOrZero} is left to
 * {@link HostFile}'s default, which goes through this file's {@link #read}, so that a wrapper
 * overriding {@code read} sees every read.
 */
public interface ForwardingHostFile extends HostFile {

  HostFile delegate();

  @Override
  default String name() {
    return delegate().name();
  }

  @Override
  default int read(ByteBuffer dst, long position) throws IOException {
    return delegate().read(dst, position);
  }

  @Override
  default void write(ByteBuffer src, long position) throws IOException {
    delegate().write(src, position);
  }

  @Override
  default long size() throws IOException {
    return delegate().size();
  }

  @Override
  default void truncate(long size) throws IOException {
    delegate().truncate(size);
  }

  @Override
  default void force() throws IOException {
    delegate().force();
  }

  @Override
  default boolean isWritable() {
    return delegate().isWritable();
  }

  @Override
  default void lock(LockPermissions permissions) throws IOException {
    delegate().lock(permissions);
  }

  @Override
  default void close() throws IOException {
    delegate().close();
  }
}
