/**
 * Image operations (internal; users reach them through {@code Qcow2Image} and the top package),
 * each a class of its own over the layers below: creating an image as qemu-img create does
 * ({@code CreateImage}), rebuilding a dirty image's refcounts ({@code RefcountRebuild}) and
 * qemu-img check with its repairs ({@code ImageCheck}, over {@code ReferenceWalk}, {@code
 * CopiedFlags} and {@code RefcountStructureRebuild}); snapshots, commit, rebase, convert,
 * measure, amend and compare come here next, each with an options record in and a result record
 * out. May import every package of the core, the top package's option and result records
 * included.
 */
package io.github.qcow2nio.format.ops;
