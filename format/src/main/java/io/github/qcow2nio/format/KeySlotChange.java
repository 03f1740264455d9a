package io.github.qcow2nio.format;

/**
 * The {@code encrypt.*} options of {@code qemu-img amend} for a LUKS-encrypted qcow2 image: add a
 * key slot holding a new passphrase, or remove slots, named by number or by the passphrase they
 * hold. The image itself is unlocked with {@link AmendOptions#keySecret()}. Every field may be
 * null (false for {@code force}); the combinations qemu-img 7.2 refuses are refused with its
 * words when the amend runs, before anything is written.
 *
 * @param state {@code encrypt.state}: {@link State#ACTIVE} adds a slot, {@link State#INACTIVE}
 *     removes; null is refused ("Parameter 'state' is missing")
 * @param keyslot {@code encrypt.keyslot}: the slot to fill or erase (0 to 7); when adding without
 *     it, the first inactive slot
 * @param newSecret {@code encrypt.new-secret}: the passphrase the added slot holds
 * @param oldSecret {@code encrypt.old-secret}: erase every slot that opens with it
 * @param iterTimeMs {@code encrypt.iter-time}: CPU milliseconds of PBKDF2 for the added slot,
 *     measured as qemu-img measures it; null for 2000 (0 gives the minimum of 1000 iterations)
 * @param force {@code qemu-img amend --force}: overwrite an active slot, erase an inactive one, or
 *     erase the last active one (which loses the data for good)
 */
public record KeySlotChange(State state, Integer keyslot, KeySecret newSecret,
    KeySecret oldSecret, Long iterTimeMs, boolean force) {

  /** {@code encrypt.state}. */
  public enum State {
    ACTIVE, INACTIVE
  }

  /** A slot holding {@code passphrase}, in the first inactive slot. */
  public static KeySlotChange add(KeySecret passphrase) {
    return builder(State.ACTIVE).newSecret(passphrase).build();
  }

  /** Erases slot {@code keyslot}. */
  public static KeySlotChange erase(int keyslot) {
    return builder(State.INACTIVE).keyslot(keyslot).build();
  }

  /** Erases every slot that opens with {@code passphrase}. */
  public static KeySlotChange eraseMatching(KeySecret passphrase) {
    return builder(State.INACTIVE).oldSecret(passphrase).build();
  }

  public static Builder builder(State state) {
    return new Builder(state);
  }

  @Override
  public String toString() {
    return "KeySlotChange[state=" + state + ", keyslot=" + keyslot + ", newSecret="
        + (newSecret == null ? "none" : "hidden") + ", oldSecret="
        + (oldSecret == null ? "none" : "hidden") + ", iterTimeMs=" + iterTimeMs + ", force="
        + force + "]";
  }

  /** One setter per option; nothing is checked until the amend runs. */
  public static final class Builder {
    private final State state;
    private Integer keyslot;
    private KeySecret newSecret;
    private KeySecret oldSecret;
    private Long iterTimeMs;
    private boolean force;

    private Builder(State state) {
      this.state = state;
    }

    public Builder keyslot(int value) {
      keyslot = value;
      return this;
    }

    public Builder newSecret(KeySecret value) {
      newSecret = value;
      return this;
    }

    public Builder oldSecret(KeySecret value) {
      oldSecret = value;
      return this;
    }

    public Builder iterTimeMs(long value) {
      iterTimeMs = value;
      return this;
    }

    public Builder force(boolean value) {
      force = value;
      return this;
    }

    public KeySlotChange build() {
      return new KeySlotChange(state, keyslot, newSecret, oldSecret, iterTimeMs, force);
    }
  }
}
