/**
 * The provider-neutral plumbing of the project's file systems, one copy for all of them:
 * {@link io.github.qcow2nio.nio.AbstractPath} (Unix-like path arithmetic over a list of names),
 * {@link io.github.qcow2nio.nio.Globs} (glob syntax to regex),
 * {@link io.github.qcow2nio.nio.PathMatchers} ("glob:" and "regex:" matchers),
 * {@link io.github.qcow2nio.nio.OpenFlags} (open options as {@code FileChannel.open} checks them),
 * {@link io.github.qcow2nio.nio.BatchedDirectoryStream} (a filtered, once-only directory stream),
 * {@link io.github.qcow2nio.nio.NestedUri} ({@code scheme:<inner-uri>!/path} and where to cut it)
 * and {@link io.github.qcow2nio.nio.OpenResources} (what closing a file system must close).
 *
 * <p>Owns nothing of any format and may import the JDK only; each provider module (qcow2,
 * partition, FAT, ext4) supplies what differs: its file system, its messages, its cut rule.
 */
package io.github.qcow2nio.nio;
