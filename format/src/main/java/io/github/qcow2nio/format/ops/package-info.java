/**
 * Image operations (internal; users reach them through {@code Qcow2Image}), each a class of its own over the layers below: creating an image as
 * qemu-img create does ({@code CreateImage}) and rebuilding a dirty image's refcounts ({@code
 * RefcountRebuild}); check, snapshots, commit, rebase, convert, measure, amend and compare come
 * here next, each with an options record in and a result record out. May import every package of
 * the core.
 */
package io.github.qcow2nio.format.ops;
