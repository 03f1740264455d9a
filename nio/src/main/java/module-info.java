/**
 * What the project's {@code java.nio.file} providers share, so that a fix to path arithmetic,
 * globs, open options or URI cutting is made once for all of them.
 */
module io.github.qcow2nio.nio {
  exports io.github.qcow2nio.nio;
}
