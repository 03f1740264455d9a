package io.github.qcow2nio.format;

import io.github.qcow2nio.format.io.ReferencePolicy;
import java.nio.file.Path;

/**
 * An image an operation reads: a qcow2 image with its backing chain, one of its internal
 * snapshots, or a raw file.
 *
 * @param path the image file, on any provider
 * @param format "qcow2", "raw", or null to tell by the qcow2 magic (as qemu-img probes)
 * @param snapshot an internal snapshot's name or ID to read instead of the active layer
 *     ({@code qemu-img convert -l}), or null
 * @param forceShare open while another program holds the image ({@code qemu-img -U})
 * @param references which backing and data files the image may name and have opened (null:
 *     {@link ReferencePolicy#follow()}, as QEMU)
 * @param keySecret the passphrase of an encrypted image and of its encrypted backing files
 *     ({@code qemu-img --object secret,... --image-opts encrypt.key-secret=}), or null; its
 *     {@code toString} never shows it
 * @param backingKeys the passphrases of encrypted backing layers by depth
 *     ({@code backing.encrypt.key-secret}, ...); null: each takes {@code keySecret}
 */
public record ImageSource(Path path, String format, String snapshot, boolean forceShare,
    ReferencePolicy references, KeySecret keySecret, BackingKeys backingKeys) {

  /** As the canonical constructor, every backing layer taking {@code keySecret}. */
  public ImageSource(Path path, String format, String snapshot, boolean forceShare,
      ReferencePolicy references, KeySecret keySecret) {
    this(path, format, snapshot, forceShare, references, keySecret, null);
  }

  public ImageSource {
    if (backingKeys == null) {
      backingKeys = BackingKeys.inherit();
    }
    if (references == null) {
      references = ReferencePolicy.follow();
    }
    if (format != null && !format.equals("qcow2") && !format.equals("raw")) {
      throw new IllegalArgumentException("unsupported format '" + format
          + "' (qcow2 and raw are)");
    }
  }

  /** As the canonical constructor, without a key secret. */
  public ImageSource(Path path, String format, String snapshot, boolean forceShare,
      ReferencePolicy references) {
    this(path, format, snapshot, forceShare, references, null);
  }

  /** As the canonical constructor, following every name the image holds. */
  public ImageSource(Path path, String format, String snapshot, boolean forceShare) {
    this(path, format, snapshot, forceShare, ReferencePolicy.follow());
  }

  /** This source, unlocked with {@code secret} (null: none) when it is encrypted. */
  public ImageSource withKeySecret(KeySecret secret) {
    return new ImageSource(path, format, snapshot, forceShare, references, secret,
        backingKeys);
  }

  /** This source, its backing layers unlocked with {@code keys} (null: the image's secret). */
  public ImageSource withBackingKeys(BackingKeys keys) {
    return new ImageSource(path, format, snapshot, forceShare, references, keySecret, keys);
  }

  /** The image at {@code path}, its format probed, its active layer, locks respected. */
  public static ImageSource of(Path path) {
    return new ImageSource(path, null, null, false);
  }
}
