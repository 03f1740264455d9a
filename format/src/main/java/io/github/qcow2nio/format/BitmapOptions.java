package io.github.qcow2nio.format;

import io.github.qcow2nio.format.io.ReferencePolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code qemu-img bitmap} takes: one bitmap and the actions on it, applied in order.
 *
 * @param bitmap the bitmap's name
 * @param actions what to do, in order (at least one)
 * @param granularity {@code -g}: the granularity of an added bitmap in bytes, a power of two from
 *     512 to 2 GiB; 0 for QEMU's default (the cluster size, at least 4 KiB)
 * @param disabled an added bitmap starts disabled (it does not track changes); qemu-img 7.2 has
 *     no option for this, later versions call it {@code --disabled}
 * @param sourceFile {@code -b}: the image holding the merge sources (null: the image itself)
 * @param sourceFormat {@code -F}: its format (null: probed; only qcow2 holds bitmaps)
 * @param referencePolicy which backing and data files {@code sourceFile} (and its chain) may
 *     name and have opened; {@link ReferencePolicy#follow()} (as QEMU) when null. The image
 *     itself is opened by the caller, under the caller's policy.
 */
public record BitmapOptions(String bitmap, List<Action> actions, long granularity,
    boolean disabled, Path sourceFile, String sourceFormat, ReferencePolicy referencePolicy) {

  /** As the canonical constructor, following every name as QEMU does. */
  public BitmapOptions(String bitmap, List<Action> actions, long granularity, boolean disabled,
      Path sourceFile, String sourceFormat) {
    this(bitmap, actions, granularity, disabled, sourceFile, sourceFormat,
        ReferencePolicy.follow());
  }

  /** The kinds of action, as qemu-img names them in its messages. */
  public enum Kind {
    ADD("add"), REMOVE("remove"), CLEAR("clear"), ENABLE("enable"), DISABLE("disable"),
    MERGE("merge");

    private final String word;

    Kind(String word) {
      this.word = word;
    }

    /** The word qemu-img uses ("Operation add on bitmap ..."). */
    public String word() {
      return word;
    }
  }

  /** One action; {@code source} names the bitmap a merge reads, null for the others. */
  public record Action(Kind kind, String source) {
    public Action {
      if (kind == null) {
        throw new NullPointerException("kind");
      }
      if ((kind == Kind.MERGE) != (source != null)) {
        throw new IllegalArgumentException("a merge, and only a merge, names a source bitmap");
      }
    }

    public static Action of(Kind kind) {
      return new Action(kind, null);
    }

    public static Action merge(String source) {
      return new Action(Kind.MERGE, source);
    }
  }

  public BitmapOptions {
    if (bitmap == null) {
      throw new NullPointerException("bitmap");
    }
    actions = List.copyOf(actions);
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("Need at least one of --add, --remove, --clear, "
          + "--enable, --disable, or --merge");
    }
    if (granularity < 0) {
      throw new IllegalArgumentException("granularity must not be negative: " + granularity);
    }
    if (sourceFormat != null && sourceFile == null) {
      throw new IllegalArgumentException("-F only supported with -b");
    }
    if (referencePolicy == null) {
      referencePolicy = ReferencePolicy.follow();
    }
  }

  public static Builder builder(String bitmap) {
    return new Builder(bitmap);
  }

  public Builder toBuilder() {
    Builder b = new Builder(bitmap);
    b.actions.addAll(actions);
    b.granularity = granularity;
    b.disabled = disabled;
    b.sourceFile = sourceFile;
    b.sourceFormat = sourceFormat;
    b.referencePolicy = referencePolicy;
    return b;
  }

  /** Builds the options; actions are appended in the order they will run. */
  public static final class Builder {
    private String bitmap;
    private final List<Action> actions = new ArrayList<>();
    private long granularity;
    private boolean disabled;
    private Path sourceFile;
    private String sourceFormat;
    private ReferencePolicy referencePolicy = ReferencePolicy.follow();

    private Builder(String bitmap) {
      this.bitmap = bitmap;
    }

    public Builder bitmap(String value) {
      this.bitmap = value;
      return this;
    }

    public Builder add() {
      actions.add(Action.of(Kind.ADD));
      return this;
    }

    public Builder remove() {
      actions.add(Action.of(Kind.REMOVE));
      return this;
    }

    public Builder clear() {
      actions.add(Action.of(Kind.CLEAR));
      return this;
    }

    public Builder enable() {
      actions.add(Action.of(Kind.ENABLE));
      return this;
    }

    public Builder disable() {
      actions.add(Action.of(Kind.DISABLE));
      return this;
    }

    public Builder merge(String source) {
      actions.add(Action.merge(source));
      return this;
    }

    public Builder granularity(long bytes) {
      this.granularity = bytes;
      return this;
    }

    public Builder disabled(boolean value) {
      this.disabled = value;
      return this;
    }

    public Builder sourceFile(Path file, String format) {
      this.sourceFile = file;
      this.sourceFormat = format;
      return this;
    }

    /** Which files the {@code -b} source may name and have opened. */
    public Builder referencePolicy(ReferencePolicy value) {
      this.referencePolicy = value;
      return this;
    }

    public BitmapOptions build() {
      return new BitmapOptions(bitmap, actions, granularity, disabled, sourceFile, sourceFormat,
          referencePolicy);
    }
  }
}
