package io.github.qcow2nio.format;

import io.github.qcow2nio.format.io.ReferencePolicy;
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
 * @param keySecret the passphrase of an encrypted image, or null (an encrypted image is only
 *     checked unlocked, as qemu-img does)
 * @param referencePolicy which backing and data files the image (and its chain) may name and
 *     have opened: a check opens the image with them, as qemu-img does;
 *     {@link ReferencePolicy#follow()} (as QEMU) when null
 * @param backingKeys the passphrases of the encrypted layers below the image by depth, which a
 *     check opens too ({@code backing.encrypt.key-secret}); null: each takes {@code keySecret}
 */
public record CheckOptions(Repair repair, boolean forceShare, boolean locking,
    Listener listener, BooleanSupplier cancelled, Consumer<String> messages,
    KeySecret keySecret, ReferencePolicy referencePolicy, BackingKeys backingKeys) {

  /** As the canonical constructor, every backing layer taking {@code keySecret}. */
  public CheckOptions(Repair repair, boolean forceShare, boolean locking, Listener listener,
      BooleanSupplier cancelled, Consumer<String> messages, KeySecret keySecret,
      ReferencePolicy referencePolicy) {
    this(repair, forceShare, locking, listener, cancelled, messages, keySecret,
        referencePolicy, null);
  }

  /** As the canonical constructor, without a key secret, following every name as QEMU does. */
  public CheckOptions(Repair repair, boolean forceShare, boolean locking, Listener listener,
      BooleanSupplier cancelled, Consumer<String> messages) {
    this(repair, forceShare, locking, listener, cancelled, messages, null,
        ReferencePolicy.follow());
  }

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
    if (referencePolicy == null) {
      referencePolicy = ReferencePolicy.follow();
    }
    if (backingKeys == null) {
      backingKeys = BackingKeys.inherit();
    }
    if (forceShare && repair != Repair.NONE) {
      throw new IllegalArgumentException(
          "force-share=on can only be used with read-only images");
    }
  }

  /** A plain check: no repair, locks taken, no progress or messages. */
  public static CheckOptions check() {
    return builder().build();
  }

  /** A check that repairs as {@code repair} says. */
  public static CheckOptions repair(Repair repair) {
    return builder().repair(repair).build();
  }

  /**
   * A builder starting from {@link #check()}'s options. Options vary through a builder, one
   * setter per option, so that a call names what it changes and nothing else.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options, to change some and keep the rest. */
  public Builder toBuilder() {
    return new Builder().repair(repair).forceShare(forceShare).locking(locking)
        .listener(listener).cancelled(cancelled).messages(messages).keySecret(keySecret)
        .referencePolicy(referencePolicy).backingKeys(backingKeys);
  }

  /** Collects the options; the record checks them when {@link #build} makes it. */
  public static final class Builder {
    private Repair repair = Repair.NONE;
    private boolean forceShare;
    private boolean locking = true;
    private Listener listener = (done, total) -> { };
    private BooleanSupplier cancelled = () -> false;
    private Consumer<String> messages = m -> { };
    private KeySecret keySecret;
    private ReferencePolicy referencePolicy = ReferencePolicy.follow();
    private BackingKeys backingKeys;

    private Builder() {}

    /** {@code -r}: what to repair. */
    public Builder repair(Repair value) {
      repair = value;
      return this;
    }

    /** {@code -U}. */
    public Builder forceShare(boolean value) {
      forceShare = value;
      return this;
    }

    /** Whether to take QEMU's image locks. */
    public Builder locking(boolean value) {
      locking = value;
      return this;
    }

    /** Told how far the check has come. */
    public Builder listener(Listener value) {
      listener = value;
      return this;
    }

    /** Asked between tables whether to stop. */
    public Builder cancelled(BooleanSupplier value) {
      cancelled = value;
      return this;
    }

    /** Receives one line per problem. */
    public Builder messages(Consumer<String> value) {
      messages = value;
      return this;
    }

    /** The passphrase of an encrypted image. */
    public Builder keySecret(KeySecret value) {
      keySecret = value;
      return this;
    }

    /** Which backing and data files the image may name and have opened. */
    public Builder referencePolicy(ReferencePolicy value) {
      referencePolicy = value;
      return this;
    }

    /** The passphrases of the backing layers by depth; null: each takes the image's. */
    public Builder backingKeys(BackingKeys value) {
      backingKeys = value;
      return this;
    }

    public CheckOptions build() {
      return new CheckOptions(repair, forceShare, locking, listener, cancelled, messages,
          keySecret, referencePolicy, backingKeys);
    }
  }
}
