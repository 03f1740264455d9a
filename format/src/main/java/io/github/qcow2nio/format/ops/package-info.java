/**
 * Image operations (internal; users reach them through {@code Qcow2Image} and the top package,
 * where their option and result records live), each a class of its own over the layers below:
 * creating an image as qemu-img create does ({@code CreateImage}), rebuilding a dirty image's
 * refcounts ({@code RefcountRebuild}), qemu-img check with its repairs ({@code ImageCheck}, over
 * {@code ReferenceWalk} (each shared table walked once: {@code RangeCoverage}, {@code
 * L2TableMemo}; counts in {@code CheckCounts}, lines capped by {@code MessageBudget}, words read
 * by {@code TableReader}), {@code CopiedFlags} and {@code RefcountStructureRebuild}), the internal
 * snapshots' create, apply, delete and rename ({@code SnapshotCreate}, {@code SnapshotApply},
 * {@code SnapshotDelete}, {@code SnapshotRename}, with QEMU's rules in {@code SnapshotRules}),
 * the persistent bitmaps' add, remove, clear, enable, disable and merge ({@code BitmapEdit}) and
 * their copy by convert ({@code BitmapCopy}), {@code Convert}, {@code Measure}, {@code Compare}
 * and {@code Dd} (block status through a chain in {@code ChainStatus}), {@code Inspect} (what an
 * untrusted image asks for, read from its first cluster and the signatures of {@code
 * FormatSignatures}, judged under a policy), {@code Commit} (the emptied overlay compacted by
 * {@code OverlayCompaction} over {@code RefcountFile}) and {@code Rebase} (their header switch
 * in {@code BackingHeader}), {@code Resize} (with {@code FileTrim}) and {@code Amend} (over
 * {@code AmendChecks}, {@code HeaderRewrite}, {@code RefcountWidthChange}, {@code
 * ZeroExpansion}, {@code ZeroClusterExpansion} and {@code BitmapRelease}; the LUKS key slots in
 * {@code KeySlotAmend}); each with an options record in and a result record out. May import every
 * package of the core, the top package's option and result records included.
 */
package io.github.qcow2nio.format.ops;
