package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.ImageSource;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.disk.RawDisk;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.PathLocation;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An image opened for reading by an operation: its disk (active layer or snapshot) and every
 * layer below it, top first, so that block status can be asked through the whole chain as
 * qemu-img does.
 */
final class SourceChain implements Closeable {
  private final Closeable owner;
  private final Qcow2Image image;
  private final List<VirtualDisk> layers;

  private SourceChain(Closeable owner, Qcow2Image image, List<VirtualDisk> layers) {
    this.owner = owner;
    this.image = image;
    this.layers = layers;
  }

  static SourceChain open(ImageSource source) throws IOException {
    String format = source.format() != null ? source.format() : probe(source.path());
    if (format.equals("raw")) {
      if (source.snapshot() != null) {
        throw new IOException("Failed to load snapshot: raw images have no snapshots");
      }
      HostFile file = new PathLocation(source.path()).open(false);
      RawDisk disk = new RawDisk(file);
      return new SourceChain(disk, null, List.of(disk));
    }
    Qcow2Image image = Qcow2Image.open(source.path(),
        OpenOptions.builder().forceShare(source.forceShare())
            .referencePolicy(source.references()).keySecret(source.keySecret())
            .backingKeys(source.backingKeys()).build());
    boolean ok = false;
    try {
      List<VirtualDisk> layers = new ArrayList<>();
      VirtualDisk top = image.disk();
      if (source.snapshot() != null) {
        if (image.findSnapshot(source.snapshot()).isEmpty()) {
          throw new IOException("Failed to load snapshot: Can't find snapshot");
        }
        top = image.snapshotDisk(source.snapshot());
      }
      layers.add(top);
      List<VirtualDisk> below = of(image).layers();
      layers.addAll(below.subList(1, below.size()));
      ok = true;
      return new SourceChain(image, image, List.copyOf(layers));
    } finally {
      if (!ok) {
        image.close();
      }
    }
  }

  /**
   * The chain of an image the caller has opened and keeps: closing the chain leaves the image
   * open.
   */
  static SourceChain of(Qcow2Image image) {
    List<VirtualDisk> layers = new ArrayList<>();
    layers.add(image.disk());
    Qcow2Image at = image;
    while (at != null && at.backingDisk().isPresent()) {
      layers.add(at.backingDisk().get());
      at = at.backingImage().orElse(null);
    }
    return new SourceChain(() -> { }, image, List.copyOf(layers));
  }

  /** "qcow2" when the file starts with the qcow2 magic, "raw" otherwise, as qemu-img probes. */
  static String probe(Path path) throws IOException {
    try (SeekableByteChannel ch = Files.newByteChannel(path)) {
      ByteBuffer magic = ByteBuffer.allocate(4);
      while (magic.hasRemaining() && ch.read(magic) > 0) {
        // Loop: a channel may return fewer bytes than asked.
      }
      return magic.position() == 4 && magic.getInt(0) == 0x514649fb ? "qcow2" : "raw";
    }
  }

  /**
   * The disk's size as QEMU sees it: a raw file in whole 512-byte sectors, the part past its
   * end reading as zeros.
   */
  long size() {
    long n = disk().size();
    return image == null ? (n + 511) & ~511L : n;
  }

  /** The disk to read. */
  VirtualDisk disk() {
    return layers.get(0);
  }

  /** The disk and the layers below it, top first. */
  List<VirtualDisk> layers() {
    return layers;
  }

  /** The qcow2 image, or null for a raw file. */
  Qcow2Image image() {
    return image;
  }

  @Override
  public void close() throws IOException {
    owner.close();
  }
}
