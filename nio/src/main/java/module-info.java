/**
 * What the project's {@code java.nio.file} providers share, so that a fix to path arithmetic,
 * globs, open options, URI cutting, channels, closing or attribute dispatch is made once for all
 * of them: the base classes of a provider, its file system, paths, store and channels, and the
 * parts they are made of.
 */
module io.github.qcow2nio.nio {
  exports io.github.qcow2nio.nio;
}
