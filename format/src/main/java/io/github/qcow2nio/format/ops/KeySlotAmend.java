package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.AmendOptions;
import io.github.qcow2nio.format.AmendResult;
import io.github.qcow2nio.format.ImageMetadata;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.KeySlotChange;
import io.github.qcow2nio.format.ProgressListener;
import io.github.qcow2nio.format.crypto.LuksKeySlots;
import io.github.qcow2nio.format.error.EncryptionKeyException;
import io.github.qcow2nio.format.error.Qcow2Exception;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.io.LockPermissions;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.struct.CryptoHeaderPointer;
import io.github.qcow2nio.format.struct.Header;
import java.io.IOException;
import java.util.Arrays;

/**
 * {@code qemu-img amend -o encrypt.state=...}: a LUKS key slot added or slots removed
 * ({@link LuksKeySlots}, whose writes keep every passphrase that opened the image through a
 * crash). Nothing but the LUKS area changes: the qcow2 header and its tables are only read, with
 * the image's writer locks held on a bare host file for the whole change.
 */
public final class KeySlotAmend {
  private KeySlotAmend() {}

  /** How the top package hands over a secret's bytes (the caller of this class wipes them). */
  @FunctionalInterface
  public interface SecretBytes {
    byte[] bytes(KeySecret secret) throws IOException;
  }

  public static AmendResult run(AmendOptions o, SecretBytes secrets, ProgressListener listener)
      throws IOException {
    return run(new PathLocation(o.image()), o, secrets, LuksKeySlots.standard(), listener);
  }

  /** As above, on the image at {@code loc}, with {@code slots} doing the LUKS work. */
  public static AmendResult run(ImageLocation loc, AmendOptions o, SecretBytes secrets,
      LuksKeySlots slots, ProgressListener listener) throws IOException {
    KeySlotChange c = o.keySlots();
    if (c == null) {
      throw new IllegalArgumentException("no key slot change to make");
    }
    listener.progress(0, 1);
    String name = loc.displayName();
    Header h;
    try (HostFile raw = loc.open(true)) {
      raw.lock(LockPermissions.image(true, false));
      // Read beside the lock held here (a force-share reader takes none of its own).
      ImageMetadata m = ImageMetadata.read(loc, true);
      h = m.header();
      if (h.cryptMethod() != Header.CRYPT_NONE && o.keySecret() == null) {
        throw new EncryptionKeyException(name + ": the image is encrypted: give its passphrase "
            + "(qemu-img: Parameter 'encrypt.key-secret' is required for cipher)");
      }
      if (h.isCorrupt()) {
        throw new Qcow2Exception(name + ": the image is marked corrupt; repair it before "
            + "changing its key slots");
      }
      if (h.cryptMethod() == Header.CRYPT_NONE) {
        throw new Qcow2Exception("Can't amend encryption options - encryption not present");
      }
      if (h.cryptMethod() != Header.CRYPT_LUKS) {
        throw new Qcow2Exception("Only LUKS encryption options can be amended");
      }
      // qemu-img refuses a bad value of another option before it looks at the key slots.
      AmendChecks.options(o, h);
      if (o.changesMoreThanKeySlots()) {
        throw new UnsupportedImageException("amending encrypt.* options together with other "
            + "options is not supported: amend them in two calls");
      }
      // HeaderChecks (through ImageMetadata) made sure a LUKS image has its extension.
      CryptoHeaderPointer area = m.extensions().crypto().orElseThrow();
      byte[] key = secrets.bytes(o.keySecret());
      try {
        slots.apply(raw, area.offset(), area.length(), key, change(c, secrets), name);
      } finally {
        Arrays.fill(key, (byte) 0);
      }
    }
    listener.progress(1, 1);
    return new AmendResult(h, h, 0, 0);
  }

  private static LuksKeySlots.Change change(KeySlotChange c, SecretBytes secrets) {
    return new LuksKeySlots.Change(c.state() == null ? null
        : c.state() == KeySlotChange.State.ACTIVE, c.keyslot(),
        passphrase(c.newSecret(), secrets), passphrase(c.oldSecret(), secrets), c.iterTimeMs(),
        c.force());
  }

  private static LuksKeySlots.Passphrase passphrase(KeySecret k, SecretBytes secrets) {
    return k == null ? null : () -> secrets.bytes(k);
  }
}
