/**
 * The provider-neutral plumbing of the project's file systems, one copy for all of them.
 *
 * <p>The shape of a provider of a file system held in a file of another provider:
 * {@link io.github.qcow2nio.nio.NestedFileSystemProvider} (URIs to open file systems and paths,
 * the path check, handing out channels and streams, the same file, the store, the dispatch of
 * attribute views), {@link io.github.qcow2nio.nio.NestedFileSystem} (open state, closing in
 * order, root, store, path strings, matchers, refusals), {@link io.github.qcow2nio.nio.NestedPath}
 * (a path made by its file system, with its URI and real path),
 * {@link io.github.qcow2nio.nio.NestedFileStore} (the one store),
 * {@link io.github.qcow2nio.nio.PathAttributeView} (an attribute view of one path),
 * {@link io.github.qcow2nio.nio.FileSystemRegistry} (one open file system per file) and
 * {@link io.github.qcow2nio.nio.PositionalFileChannel} (a {@code FileChannel} made of positional
 * reads and writes).
 *
 * <p>The parts they are made of: {@link io.github.qcow2nio.nio.AbstractPath} (Unix-like path
 * arithmetic over a list of names), {@link io.github.qcow2nio.nio.Globs} (glob syntax to regex),
 * {@link io.github.qcow2nio.nio.PathMatchers} ("glob:" and "regex:" matchers),
 * {@link io.github.qcow2nio.nio.OpenFlags} (open options as {@code FileChannel.open} checks them),
 * {@link io.github.qcow2nio.nio.BatchedDirectoryStream} (a filtered, once-only directory stream),
 * {@link io.github.qcow2nio.nio.NestedUri} ({@code scheme:<inner-uri>!/path} and where to cut it),
 * {@link io.github.qcow2nio.nio.OpenResources} (what closing a file system must close),
 * {@link io.github.qcow2nio.nio.ProviderPaths} (the path and link-option checks),
 * {@link io.github.qcow2nio.nio.NamedAttributes} (attributes by name) and
 * {@link io.github.qcow2nio.nio.PlainFileAttributes} (files and directories, nothing else).
 *
 * <p>Owns nothing of any format and may import the JDK only; each provider module (qcow2,
 * partition, FAT, ext4) supplies what differs: its file system's contents, its messages, its cut
 * rule. Everything here is exported for them; what only these classes share among themselves
 * (registering a handed-out resource, a file system's key) is package-private.
 */
package io.github.qcow2nio.nio;
