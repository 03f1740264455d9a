package io.github.qcow2nio.ext4;

import io.github.qcow2nio.ext4.disk.Inode;
import io.github.qcow2nio.ext4.disk.Superblock;
import io.github.qcow2nio.ext4.read.Resolver;
import io.github.qcow2nio.ext4.read.Volume;
import io.github.qcow2nio.nio.NestedFileSystem;
import io.github.qcow2nio.nio.ProviderPaths;
import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Set;

/**
 * One ext2/3/4 file system, read-only, over the file that holds it. Closing it closes every
 * channel and stream opened on it and the channel to that file.
 */
public final class Ext4FileSystem extends NestedFileSystem<Ext4Path> {
  private final Volume volume;
  private final Resolver resolver;
  private final Ext4FileStore store;

  Ext4FileSystem(Ext4FileSystemProvider provider, URI deviceUri, Volume volume) {
    super(provider, deviceUri, deviceUri, true);
    this.volume = volume;
    this.resolver = new Resolver(volume);
    this.store = new Ext4FileStore(this);
  }

  @Override
  public Ext4FileSystemProvider provider() {
    return (Ext4FileSystemProvider) super.provider();
  }

  /** The URI of the file the file system is read from. */
  public URI deviceUri() {
    return innerUri();
  }

  /**
   * Whether the journal holds transactions not yet replayed into the file system (the
   * needs_recovery feature): the files read as the file system stands, without them.
   */
  public boolean needsRecovery() {
    return volume.superblock().features().needsRecovery();
  }

  Volume volume() {
    return volume;
  }

  Superblock superblock() {
    return volume.superblock();
  }

  @Override
  protected Ext4Path newPath(boolean absolute, String[] names) {
    return new Ext4Path(this, absolute, names);
  }

  @Override
  protected Ext4FileStore store() {
    return store;
  }

  @Override
  protected List<Release> releases() {
    return List.of(volume::close);
  }

  /** The inode {@code path} names, following a final symlink when {@code follow}. */
  Inode inode(Ext4Path path, boolean follow) throws IOException {
    return resolved(path, follow).inode();
  }

  Resolver.Resolved resolved(Ext4Path path, boolean follow) throws IOException {
    checkOpen();
    return resolver.resolve(path.toAbsolutePath().nameList(), follow, path.toString());
  }

  /** The path with every symlink resolved (unless NOFOLLOW_LINKS), "." and ".." gone. */
  @Override
  protected Ext4Path realPath(Ext4Path path, LinkOption... options) throws IOException {
    boolean follow = ProviderPaths.followLinks(options);
    return new Ext4Path(this, true, resolved(path, follow).realNames().toArray(String[]::new));
  }

  Resolver resolver() {
    return resolver;
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return Set.of("basic", "owner", "posix", Ext4FileAttributeView.NAME, "user");
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    return Principals.LOOKUP;
  }

  @Override
  protected String watchRefusal() {
    return "an ext4 file system here is read-only; nothing changes to watch";
  }
}
