/**
 * Image operations (internal; users reach them through {@code Qcow2Image}), each a class of its own over the layers below: creating an image as
 * qemu-img create does ({@code CreateImage}) and rebuilding a dirty image's refcounts ({@code
 * RefcountRebuild}), {@code Convert}, {@code Measure} and {@code Compare} (reached through
 * {@code ImageOperations}, with their option and result records in the top package, block status
 * through a chain in {@code ChainStatus}); check, snapshots, commit, rebase and amend come here
 * next, each with an options record in and a result record out. May import every package of
 * the core.
 */
package io.github.qcow2nio.format.ops;
