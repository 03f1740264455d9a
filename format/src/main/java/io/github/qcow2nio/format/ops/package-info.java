/**
 * Image operations (internal; users reach them through {@code Qcow2Image}), each a class of its
 * own over the layers below: creating an image as qemu-img create does ({@code CreateImage}),
 * rebuilding a dirty image's refcounts ({@code RefcountRebuild}) and the internal snapshots'
 * create, apply, delete and rename ({@code SnapshotCreate}, {@code SnapshotApply}, {@code
 * SnapshotDelete}, {@code SnapshotRename}, with QEMU's rules in {@code SnapshotRules}); check,
 * commit, rebase, convert, measure, amend and compare come here next, each with an options record
 * in and a result record out. May import every package of the core.
 */
package io.github.qcow2nio.format.ops;
