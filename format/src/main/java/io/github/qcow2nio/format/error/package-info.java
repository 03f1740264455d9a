/**
 * The exceptions of the core: every problem with an image's bytes is a {@code Qcow2Exception}
 * (an {@code IOException}) naming the structure, the offset and what was expected. The bottom of
 * the core: imports nothing of it.
 */
package io.github.qcow2nio.format.error;
