package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.CheckOptions;
import io.github.qcow2nio.format.CheckOptions.Repair;
import io.github.qcow2nio.format.CheckResult;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.meta.HeaderUpdater;
import io.github.qcow2nio.format.meta.RefcountManager;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.SnapshotEntry;
import java.io.IOException;

/**
 * {@code qemu-img check [-r leaks|all]} on a qcow2 image: the same counts, the same repairs and
 * the same report. The references are counted in memory ({@link ReferenceWalk}), compared with
 * the stored refcounts, and then the active tables' COPIED flags are compared with the refcounts
 * ({@link CopiedFlags}).
 *
 * <p>A repair changes refcounts only to what the references say, raising before lowering and
 * placing any new refcount block above every referenced cluster; the refcounts are made durable
 * before a COPIED flag is rewritten, and the dirty and corrupt bits are cleared last. A crash
 * during a repair therefore leaves the image with at most the problems it had (some of them
 * fixed) plus leaked clusters. After a repair the image is checked again, read-only, and that
 * second check is the result, with the repair's counts, as qemu-img reports it.
 */
public final class ImageCheck {
  private final CheckContext ctx;
  private final HeaderUpdater headerUpdater;

  private ImageCheck(CheckContext ctx, HeaderUpdater headerUpdater) {
    this.ctx = ctx;
    this.headerUpdater = headerUpdater;
  }

  /**
   * Checks {@code image} (opened read-only, without its backing chain), reading and, when
   * {@code options} ask for a repair, writing through {@code file}, the same image file opened
   * writable when repairing.
   */
  public static CheckResult run(Qcow2Image image, HostFile file, CheckOptions options)
      throws IOException {
    Header h = image.header();
    CheckContext ctx = CheckContext.of(file, h, image.extensions(), image.snapshots(),
        image.bitmaps(), h.hasExternalDataFile(), options);
    HeaderUpdater hu = options.repair() == Repair.NONE ? null : new HeaderUpdater(file, h);
    CheckResult first = new ImageCheck(ctx, hu).pass(options.repair());
    if (!first.repaired()) {
      return first;
    }
    ctx.restart();
    CheckContext again = new CheckContext(file, hu.header(), ctx.extensions(), ctx.snapshots(),
        ctx.bitmaps(), ctx.externalData(), options, ctx.progress());
    CheckResult second = new ImageCheck(again, null).pass(Repair.NONE);
    return second.withFixed(first.corruptionsFixed(), first.leaksFixed());
  }

  private CheckResult pass(Repair repair) throws IOException {
    Header h = headerUpdater != null ? headerUpdater.header() : ctx.header();
    ReferenceWalk walk = new ReferenceWalk(ctx, h, repair == Repair.ALL);
    long[] l1 = walk.readLongs(h.l1TableOffset(), Integer.toUnsignedLong(h.l1Size()));
    walk.run(l1);
    long snapshotCorruptions = snapshotTable(h);
    StoredRefcounts stored = stored(h, walk.refcountTable());
    Compare cmp = compare(walk, stored, Repair.NONE);
    long corruptions = walk.corruptions() + cmp.corruptions;
    long leaks = cmp.leaks;
    long checkErrors = cmp.checkErrors;
    long highest = cmp.highest;
    long corruptionsFixed = walk.entries.corruptionsFixed;
    long leaksFixed = 0;
    boolean rebuild = walk.rebuild || cmp.rebuild;
    if (rebuild && repair == Repair.ALL) {
      ctx.messages().accept("Rebuilding refcount structure");
      RefcountStructureRebuild.run(ctx.file(), headerUpdater, walk.refs(), walk.clusters());
      // The old structure is now leaked: count again over the new one and free it.
      Header now = headerUpdater.header();
      ReferenceWalk again = new ReferenceWalk(ctx, now, false);
      again.run(l1);
      Compare freed = fixRefcounts(again, stored(now, again.refcountTable()), Repair.LEAKS);
      if (freed.rebuild) {
        ctx.messages().accept("ERROR rebuilt refcount structure is still broken");
      }
      corruptionsFixed += Math.max(0, corruptions - again.corruptions());
      leaksFixed = leaks;
      corruptions = again.corruptions();
      leaks = freed.leaks;
      checkErrors = freed.checkErrors;
      highest = freed.highest;
    } else if (repair != Repair.NONE) {
      if (rebuild) {
        ctx.messages().accept("ERROR need to rebuild refcount structures");
        throw new Qcow2Exception("Check failed: Input/output error");
      }
      if (leaks != 0 || corruptions != 0) {
        Compare fix = fixRefcounts(walk, stored, repair);
        corruptions = walk.corruptions() + fix.corruptions;
        leaks = fix.leaks;
        checkErrors = fix.checkErrors;
        corruptionsFixed += fix.corruptionsFixed;
        leaksFixed = fix.leaksFixed;
      }
    }
    Header now = headerUpdater != null ? headerUpdater.header() : h;
    stored = stored(now, new ReferenceWalk(ctx, now, false).refcountTable());
    boolean repairCopied = repair == Repair.ALL
        || (repair == Repair.LEAKS && checkErrors == 0 && corruptions == 0 && leaks == 0);
    CopiedFlags.Outcome copied = CopiedFlags.check(ctx, l1, stored, repairCopied);
    if (copied.fixed() > 0) {
      ctx.file().force();
    }
    corruptions += copied.corruptions() + snapshotCorruptions;
    corruptionsFixed += copied.fixed();
    if (repair != Repair.NONE && checkErrors == 0 && corruptions == 0 && h.version() >= 3) {
      long bits = headerUpdater.header().incompatibleFeatures();
      long clean = bits & ~(Features.INCOMPAT_DIRTY | Features.INCOMPAT_CORRUPT);
      if (clean != bits) {
        headerUpdater.setIncompatibleFeatures(clean);
      }
    }
    long cs = h.clusterSize();
    long total = (h.size() + cs - 1) / cs;
    return new CheckResult(checkErrors, corruptions, leaks, corruptionsFixed, leaksFixed,
        (highest + 1) * cs, total, walk.entries.allocated, walk.entries.fragmented,
        walk.entries.compressed);
  }

  private StoredRefcounts stored(Header h, long[] table) {
    return new StoredRefcounts(ctx.file(), h.clusterBits(), h.refcountOrder(), table);
  }

  /**
   * Compares again, this time setting every count {@code repair} allows to what the references
   * say, and makes the new counts durable. A count is only ever moved to the truth, so any
   * subset of these writes reaching the disk leaves the image no worse than before.
   */
  private Compare fixRefcounts(ReferenceWalk walk, StoredRefcounts stored, Repair repair)
      throws IOException {
    Compare fix = compare(walk, stored, repair);
    if (!fix.fixes.isEmpty()) {
      RefcountManager refcounts = RefcountManager.load(ctx.file(), headerUpdater);
      for (long[] f : fix.fixes) {
        refcounts.set(f[0], f[1]);
      }
      refcounts.flush();
      ctx.file().force();
    }
    return fix;
  }

  /** v3 snapshot entries must carry the VM state size and disk size (16 bytes of extra data). */
  private long snapshotTable(Header h) {
    long n = 0;
    if (h.version() < 3) {
      return 0;
    }
    int i = 0;
    for (SnapshotEntry s : ctx.snapshots()) {
      if (s.extraData().length < 16) {
        ctx.messages().accept("ERROR snapshot table entry " + i + " is incomplete");
        n++;
      }
      i++;
    }
    return n;
  }

  /** One comparison of stored and counted refcounts (QEMU's compare_refcounts). */
  private static final class Compare {
    long corruptions;
    long leaks;
    long checkErrors;
    long corruptionsFixed;
    long leaksFixed;
    long highest = -1;
    boolean rebuild;
    final java.util.List<long[]> fixes = new java.util.ArrayList<>();
  }

  private Compare compare(ReferenceWalk walk, StoredRefcounts stored, Repair fix) {
    Compare r = new Compare();
    for (long c = 0; c < walk.clusters(); c++) {
      long onDisk;
      try {
        onDisk = stored.get(c);
      } catch (IOException e) {
        ctx.messages().accept("Can't get refcount for cluster " + c + ": Input/output error");
        r.checkErrors++;
        continue;
      }
      long counted = Integer.toUnsignedLong(walk.refs()[(int) c]);
      if (onDisk != 0 || counted != 0) {
        r.highest = c;
      }
      if (onDisk == counted) {
        continue;
      }
      boolean fixable = false;
      if (onDisk == 0) {
        r.rebuild = true;
      } else if (Long.compareUnsigned(onDisk, counted) > 0) {
        fixable = fix != Repair.NONE;
      } else {
        fixable = fix == Repair.ALL;
      }
      boolean tooLow = Long.compareUnsigned(onDisk, counted) < 0;
      ctx.messages().accept((fixable ? "Repairing" : tooLow ? "ERROR" : "Leaked") + " cluster "
          + c + " refcount=" + Long.toUnsignedString(onDisk) + " reference=" + counted);
      if (fixable) {
        r.fixes.add(new long[] {c, counted});
        if (tooLow) {
          r.corruptionsFixed++;
        } else {
          r.leaksFixed++;
        }
      } else if (tooLow) {
        r.corruptions++;
      } else {
        r.leaks++;
      }
    }
    return r;
  }
}
