package io.github.qcow2nio.format;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The key secrets of the encrypted layers below an image, by depth: a chain whose layers were
 * encrypted with different passphrases (QEMU's {@code backing.encrypt.key-secret},
 * {@code backing.backing.encrypt.key-secret}, ...). Depth 1 is the image's backing file, depth 2
 * that file's backing file, and so on.
 *
 * <p>Three kinds: {@link #inherit()} gives every backing layer the image's own key secret (the
 * form before per-layer secrets, and the default); {@link #of} gives the layers it names their
 * own and the others the image's; {@link #exactly} gives the layers it names their own and the
 * others none, as qemu-img does (a layer's secret is named for that layer or not at all). The
 * secrets never show in {@link #toString()}.
 */
public final class BackingKeys {
  private static final BackingKeys INHERIT = new BackingKeys(List.of(), true, null);

  private final List<KeySecret> byDepth;
  private final boolean inherit;
  /** Below the first layer, the top image's secret that unnamed layers inherit. */
  private final KeySecret inherited;

  private BackingKeys(List<KeySecret> byDepth, boolean inherit, KeySecret inherited) {
    this.byDepth = byDepth;
    this.inherit = inherit;
    this.inherited = inherited;
  }

  /** Every backing layer takes the image's own key secret. */
  public static BackingKeys inherit() {
    return INHERIT;
  }

  /**
   * {@code byDepth.get(0)} for the backing file, {@code get(1)} for its backing file, ...; a
   * null entry, or a layer past the list, takes the image's own key secret.
   */
  public static BackingKeys of(List<KeySecret> byDepth) {
    return new BackingKeys(copy(byDepth), true, null);
  }

  /**
   * As {@link #of}, but a null entry, or a layer past the list, has no key secret: an encrypted
   * layer there is refused, naming it, as qemu-img refuses it.
   */
  public static BackingKeys exactly(List<KeySecret> byDepth) {
    return new BackingKeys(copy(byDepth), false, null);
  }

  private static List<KeySecret> copy(List<KeySecret> list) {
    // Nulls are meaningful here ("this layer: none named"), which List.copyOf refuses.
    return Collections.unmodifiableList(new ArrayList<>(list));
  }

  /** The secret named for the layer {@code depth} deep (1: the backing file), or null. */
  public KeySecret named(int depth) {
    return depth >= 1 && depth <= byDepth.size() ? byDepth.get(depth - 1) : null;
  }

  /** Whether layers named none take the image's own secret. */
  public boolean inherits() {
    return inherit;
  }

  /** The secret of the backing file of an image whose own secret is {@code imageSecret}. */
  KeySecret forBacking(KeySecret imageSecret) {
    KeySecret k = named(1);
    if (k != null || !inherit) {
      return k;
    }
    return inherited != null ? inherited : imageSecret;
  }

  /** The keys of the layers below the backing file, as that file's own {@code BackingKeys}. */
  BackingKeys below(KeySecret imageSecret) {
    if (byDepth.isEmpty() && inherit && inherited == null) {
      // Today's form: every layer keeps taking the secret it is given, which is the top's.
      return this;
    }
    List<KeySecret> rest = byDepth.isEmpty() ? List.of()
        : Collections.unmodifiableList(new ArrayList<>(byDepth.subList(1, byDepth.size())));
    KeySecret top = inherit ? (inherited != null ? inherited : imageSecret) : null;
    return new BackingKeys(rest, inherit, top);
  }

  @Override
  public String toString() {
    int named = 0;
    for (KeySecret k : byDepth) {
      named += k == null ? 0 : 1;
    }
    return "BackingKeys[" + (inherit ? "inherit" : "exactly") + ", " + named
        + " named, hidden]";
  }
}
