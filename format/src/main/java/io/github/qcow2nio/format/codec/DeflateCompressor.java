package io.github.qcow2nio.format.codec;

/**
 * Raw deflate as QEMU writes it (windowBits -12: a 4 KiB window; level 6). The JDK's
 * {@code Deflater} cannot be limited to that window, and its 32 KiB back-references make a
 * cluster unreadable to QEMU, so this is a deflate encoder of its own: {@link Lz77Matcher} and
 * {@link DeflateBlockWriter}, per thread.
 */
final class DeflateCompressor implements ClusterCompressor {
  private static final class State {
    final Lz77Matcher matcher = new Lz77Matcher();
    final DeflateBlockWriter writer = new DeflateBlockWriter();
  }

  private final ThreadLocal<State> states = ThreadLocal.withInitial(State::new);

  @Override
  public int compress(byte[] src, int length, byte[] dst, int limit) {
    State s = states.get();
    s.writer.start(src, dst, limit);
    s.matcher.run(src, length, s.writer);
    return s.writer.finish();
  }
}
