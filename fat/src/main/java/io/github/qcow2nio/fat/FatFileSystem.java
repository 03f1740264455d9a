package io.github.qcow2nio.fat;

import io.github.qcow2nio.fat.volume.Device;
import io.github.qcow2nio.fat.volume.FatVolume;
import io.github.qcow2nio.fat.volume.Node;
import io.github.qcow2nio.nio.NestedFileSystem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A FAT volume held in a file of any provider. Closing it closes its channels and streams
 * (a channel opened with DELETE_ON_CLOSE deletes its file then), writes back the FAT copies and
 * FSInfo, and closes the file.
 */
public final class FatFileSystem extends NestedFileSystem<FatPath> {
  private final Path file;
  private final Device device;
  private final FatVolume volume;
  private final FatFileStore store;

  FatFileSystem(FatFileSystemProvider provider, Path file, URI fileUri, Device device,
      FatVolume volume, boolean readOnly) {
    super(provider, fileUri, fileUri, readOnly);
    this.file = file;
    this.device = device;
    this.volume = volume;
    this.store = new FatFileStore(this);
  }

  @Override
  public FatFileSystemProvider provider() {
    return (FatFileSystemProvider) super.provider();
  }

  Path filePath() {
    return file;
  }

  FatVolume volume() {
    checkOpen();
    return volume;
  }

  @Override
  protected FatPath newPath(boolean absolute, String[] names) {
    return new FatPath(this, absolute, names);
  }

  @Override
  protected FatFileStore store() {
    return store;
  }

  /** The FAT copies and FSInfo are written back, then the file is closed. */
  @Override
  protected List<Release> releases() {
    return List.of(volume::flush, device::close);
  }

  /** The names of {@code p} from the root, with "." and ".." worked out. */
  static String[] names(FatPath p) {
    return p.toAbsolutePath().normalize().names();
  }

  /** {@code p} with each name spelt as the volume stores it. */
  @Override
  protected FatPath realPath(FatPath p, LinkOption... options) throws IOException {
    String[] names = names(p);
    String[] real = new String[names.length];
    for (int i = 0; i < names.length; i++) {
      Node n = volume().lookup(Arrays.copyOf(names, i + 1));
      real[i] = n.name();
    }
    return new FatPath(this, true, real);
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return Set.of("basic", "dos");
  }

  /** Glob matching, like lookup, ignores case as FAT does. */
  @Override
  protected int globFlags() {
    return Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    throw new UnsupportedOperationException("FAT has no owners");
  }
}
