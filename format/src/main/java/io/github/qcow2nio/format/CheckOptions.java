package io.github.qcow2nio.format;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * How to check an image ({@link Qcow2Image#check}), as {@code qemu-img check} takes it.
 *
 * @param repair what to repair: nothing, leaked clusters ({@code -r leaks}) or everything that can
 *     be repaired ({@code -r all})
 * @param forceShare as {@code qemu-img check -U}: read an image another program holds; only
 *     without repair
 * @param locking take QEMU's image locks (see {@link OpenOptions#locking()})
 * @param listener told how far the check has come; never null
 * @param cancelled asked between tables; when it answers true the check stops with an
 *     {@link java.io.InterruptedIOException} (a repair stops between two durable steps)
 * @param messages receives one line per problem, in qemu-img check's words (what qemu-img
 *     prints on stderr); never null
 */
public record CheckOptions(Repair repair, boolean forceShare, boolean locking,
    Listener listener, BooleanSupplier cancelled, Consumer<String> messages) {

  /** {@code qemu-img check -r}: which inconsistencies a check repairs. */
  public enum Repair {
    /** Report only; the image is opened read-only. */
    NONE,
    /** {@code -r leaks}: lower refcounts that are too high. */
    LEAKS,
    /** {@code -r all}: also raise refcounts that are too low and fix COPIED flags. */
    ALL
  }

  /** Progress: {@code done} of {@code total} units of work (tables read). */
  @FunctionalInterface
  public interface Listener {
    void progress(long done, long total);
  }

  public CheckOptions {
    if (repair == null || listener == null || cancelled == null || messages == null) {
      throw new NullPointerException("check options must not be null");
    }
    if (forceShare && repair != Repair.NONE) {
      throw new IllegalArgumentException(
          "force-share=on can only be used with read-only images");
    }
  }

  /** A plain check: no repair, locks taken, no progress or messages. */
  public static CheckOptions check() {
    return new CheckOptions(Repair.NONE, false, true, (d, t) -> { }, () -> false, m -> { });
  }

  /** A check that repairs as {@code repair} says. */
  public static CheckOptions repair(Repair repair) {
    return check().withRepair(repair);
  }

  public CheckOptions withRepair(Repair value) {
    return new CheckOptions(value, forceShare, locking, listener, cancelled, messages);
  }

  public CheckOptions withForceShare(boolean value) {
    return new CheckOptions(repair, value, locking, listener, cancelled, messages);
  }

  public CheckOptions withLocking(boolean value) {
    return new CheckOptions(repair, forceShare, value, listener, cancelled, messages);
  }

  public CheckOptions withListener(Listener value) {
    return new CheckOptions(repair, forceShare, locking, value, cancelled, messages);
  }

  public CheckOptions withCancelled(BooleanSupplier value) {
    return new CheckOptions(repair, forceShare, locking, listener, value, messages);
  }

  public CheckOptions withMessages(Consumer<String> value) {
    return new CheckOptions(repair, forceShare, locking, listener, cancelled, value);
  }
}
