package io.github.qcow2nio.examples;

import io.github.qcow2nio.format.BackingKeys;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.block.Extent;
import io.github.qcow2nio.format.block.VirtualDisk;
import io.github.qcow2nio.format.io.ReferencePolicy;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Maps a disk's guest ranges to the layer and file that hold them, as {@code qemu-img map} does:
 * each range is looked up in the image, and where the image leaves it unallocated, in its
 * backing file, and so on down the chain.
 *
 * <p>qemu-img asks the host file system where a file has holes; the JDK cannot, so every range
 * a layer maps to a file is reported as data, holes included.
 */
public final class ImageMapper implements Closeable {

  /** One layer of the chain: a qcow2 disk, or a raw file of {@code rawLength} bytes. */
  private record Layer(String name, String dataName, VirtualDisk qcow2, long size,
      long rawLength) {}

  private final Closeable owner;
  private final List<Layer> layers;

  private ImageMapper(Closeable owner, List<Layer> layers) {
    this.owner = owner;
    this.layers = layers;
  }

  /**
   * Opens {@code filename} and its backing chain; {@code format} is "qcow2", "raw", or null to
   * tell from the file; {@code forceShare} opens it as {@code qemu-img map -U}.
   */
  public static ImageMapper open(String filename, String format, boolean forceShare)
      throws IOException {
    return open(filename, format, forceShare, ReferencePolicy.follow());
  }

  /** As above, opening only the backing and data files {@code references} allows. */
  public static ImageMapper open(String filename, String format, boolean forceShare,
      ReferencePolicy references) throws IOException {
    return open(filename, format, forceShare, references, null);
  }

  /** As above, unlocking an encrypted image (and its encrypted backing files) with {@code key}. */
  public static ImageMapper open(String filename, String format, boolean forceShare,
      ReferencePolicy references, KeySecret key) throws IOException {
    return open(filename, format, forceShare, references, key, null);
  }

  /** As above, each encrypted backing layer unlocked with its own key ({@code below}). */
  public static ImageMapper open(String filename, String format, boolean forceShare,
      ReferencePolicy references, KeySecret key, BackingKeys below) throws IOException {
    Path path = Path.of(filename);
    if (format == null) {
      format = ImageInspector.probe(path);
    }
    if (format.equals("raw")) {
      long length = Files.size(path);
      return new ImageMapper(() -> {}, List.of(raw(filename, length)));
    }
    Qcow2Image top = Qcow2Image.open(path, OpenOptions.builder().forceShare(forceShare)
        .referencePolicy(references).keySecret(key).backingKeys(below).build());
    List<Layer> layers = new ArrayList<>();
    String name = filename;
    Qcow2Image image = top;
    while (true) {
      String imageName = name;
      String dataName = image.dataFileName().map(d -> ImageInspector.combine(imageName, d))
          .orElse(null);
      VirtualDisk disk = image.disk();
      layers.add(new Layer(name, dataName, disk, disk.size(), 0));
      Optional<String> backing = image.backingFile();
      if (backing.isEmpty() || image.backingDisk().isEmpty()) {
        break;
      }
      name = ImageInspector.combine(name, backing.get());
      Optional<Qcow2Image> next = image.backingImage();
      if (next.isEmpty()) {
        layers.add(raw(name, image.backingDisk().get().size()));
        break;
      }
      image = next.get();
    }
    return new ImageMapper(top, List.copyOf(layers));
  }

  /** A raw layer: QEMU sees whole 512-byte sectors, the part past the file's end as zeros. */
  private static Layer raw(String name, long length) {
    long size = (length + 511) / 512 * 512;
    return new Layer(name, null, null, size, length);
  }

  /** The guest size. */
  public long size() {
    return layers.get(0).size();
  }

  /** The entry for the range at {@code offset}, at most {@code maxLength} bytes, unmerged. */
  public MapEntry entryAt(long offset, long maxLength) throws IOException {
    return entryAt(0, offset, Math.min(maxLength, size() - offset));
  }

  private MapEntry entryAt(int depth, long offset, long length) throws IOException {
    Layer layer = layers.get(depth);
    if (layer.qcow2() == null) {
      if (offset < layer.rawLength()) {
        return new MapEntry(offset, Math.min(length, layer.rawLength() - offset), depth, true,
            false, true, offset, layer.name());
      }
      return new MapEntry(offset, length, depth, true, true, false, offset, layer.name());
    }
    Extent e = layer.qcow2().blockStatus(offset, length);
    String file = layer.dataName() != null ? layer.dataName() : layer.name();
    long host = e.hasHostOffset() ? e.hostOffset() : -1;
    String hostFile = e.hasHostOffset() ? file : null;
    return switch (e.type()) {
      case NORMAL -> new MapEntry(offset, e.length(), depth, true, false, true, host, hostFile);
      case ZERO -> new MapEntry(offset, e.length(), depth, true, true, false, host, hostFile);
      case COMPRESSED -> new MapEntry(offset, e.length(), depth, true, false, true, -1, null);
      case UNALLOCATED -> {
        boolean below = depth + 1 < layers.size() && offset < layers.get(depth + 1).size();
        if (below) {
          long n = Math.min(e.length(), layers.get(depth + 1).size() - offset);
          yield entryAt(depth + 1, offset, n);
        }
        // Nothing below (or the backing file ends before this range): it reads as zeros.
        yield new MapEntry(offset, e.length(), depth, false, true, false, host, hostFile);
      }
    };
  }

  /** Every entry of the disk, merged as qemu-img merges them, to {@code sink}. */
  public void forEachEntry(EntrySink sink) throws IOException {
    forEachEntry(0, size(), sink);
  }

  /** The entries of {@code [start, end)} (clipped to the disk), merged, to {@code sink}. */
  public void forEachEntry(long start, long end, EntrySink sink) throws IOException {
    MapEntry current = null;
    long pos = start;
    long size = Math.min(size(), end);
    while (pos < size) {
      MapEntry next = entryAt(pos, size - pos);
      if (current != null && current.mergeableWith(next)) {
        current = current.extendedBy(next.length());
      } else {
        if (current != null) {
          sink.accept(current);
        }
        current = next;
      }
      pos = next.end();
    }
    if (current != null) {
      sink.accept(current);
    }
  }

  /** Receives map entries; may fail with an IOException to stop the walk. */
  @FunctionalInterface
  public interface EntrySink {
    void accept(MapEntry e) throws IOException;
  }

  @Override
  public void close() throws IOException {
    owner.close();
  }
}
