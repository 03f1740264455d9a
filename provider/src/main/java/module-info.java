/**
 * The {@code qcow2:} file-system provider: a qcow2 image's disks as files.
 *
 * <h2>URIs</h2>
 * The file system of an image is named {@code qcow2:} followed by the URI of the image file on
 * any installed provider: {@code qcow2:file:///var/lib/images/vm.qcow2},
 * {@code qcow2:jimfs://name/vm.qcow2}. A path inside it is {@code qcow2:<image-uri>!/disk}, cut
 * at the first {@code !/}. {@code FileSystems.newFileSystem(URI, env)} opens one (a second open of
 * the same image throws {@code FileSystemAlreadyExistsException}, {@code getFileSystem(URI)}
 * finds it); {@code FileSystems.newFileSystem(Path, env)} opens an image on any provider, and
 * answers {@code UnsupportedOperationException} for a file without the qcow2 magic, so the JDK
 * goes on to the next provider.
 *
 * <h2>Paths</h2>
 * <table>
 * <caption>Inside the file system</caption>
 * <tr><th>path</th><th>what it is</th></tr>
 * <tr><td>{@code /disk}</td><td>the guest-visible disk of the active layer; {@code Files.size}
 *     is the virtual size. Opens as a {@code FileChannel}: positional reads and writes are
 *     thread-safe, {@code truncate} and writes past the end resize, {@code force} flushes.</td></tr>
 * <tr><td>{@code /snapshots/<name>}</td><td>each internal snapshot's disk, read-only</td></tr>
 * </table>
 *
 * <h2>Snapshots</h2>
 * {@code Files.copy(/disk, /snapshots/NAME)} creates a snapshot, {@code
 * Files.copy(/snapshots/NAME, /disk, REPLACE_EXISTING)} reverts the disk to it (its size
 * included), {@code Files.delete(/snapshots/NAME)} deletes it and {@code
 * Files.move(/snapshots/A, /snapshots/B)} renames it: each one crash-safe operation of the core,
 * written as QEMU writes snapshots. Channels open on {@code /disk} see the reverted disk at once;
 * a snapshot with an open channel cannot be deleted or replaced. A read-only file system refuses
 * all four with {@code ReadOnlyFileSystemException}. provider/README.md has the details.
 *
 * <h2>The env map</h2>
 * Values are Strings or their natural types; an unknown key or a bad value is an
 * {@code IllegalArgumentException} naming the valid ones.
 * <table>
 * <caption>Keys</caption>
 * <tr><th>key</th><th>values</th><th>meaning</th></tr>
 * <tr><td>{@code accessMode}</td><td>{@code readOnly}, {@code readWrite}</td><td>default
 *     {@code readWrite} where the image file is writable; a read-only file system never writes a
 *     byte</td></tr>
 * <tr><td>{@code create}</td><td>boolean</td><td>create the image when it does not exist</td></tr>
 * <tr><td>{@code size}</td><td>bytes, or {@code 64k}, {@code 10G}</td><td>virtual size of a new
 *     image; without it, the backing file's</td></tr>
 * <tr><td>{@code clusterSize}</td><td>512 to 2M</td><td>as {@code qemu-img create -o
 *     cluster_size}</td></tr>
 * <tr><td>{@code compat}</td><td>{@code 0.10}, {@code 1.1}</td><td>qcow2 version 2 or 3</td></tr>
 * <tr><td>{@code refcountBits}</td><td>1 to 64</td><td></td></tr>
 * <tr><td>{@code extendedL2}</td><td>boolean</td><td>subclusters</td></tr>
 * <tr><td>{@code compressionType}</td><td>{@code zlib}, {@code zstd}</td><td></td></tr>
 * <tr><td>{@code lazyRefcounts}</td><td>boolean</td><td></td></tr>
 * <tr><td>{@code backingFile}, {@code backingFormat}</td><td>name, {@code qcow2}/{@code raw}
 *     </td><td>relative names resolve against the image's directory, on its own provider</td></tr>
 * <tr><td>{@code dataFile}, {@code dataFileRaw}</td><td>name, boolean</td><td>external data
 *     file</td></tr>
 * <tr><td>{@code preallocation}</td><td>{@code off}, {@code metadata}, {@code falloc},
 *     {@code full}</td><td></td></tr>
 * <tr><td>{@code locking}</td><td>boolean, default true</td><td>take QEMU's image locks</td></tr>
 * <tr><td>{@code forceShare}</td><td>boolean</td><td>open an image another program holds,
 *     read-only, as {@code qemu-img -U}</td></tr>
 * <tr><td>{@code backingPolicy}</td><td>{@code follow} (default), {@code none},
 *     {@code confined}</td><td>which backing and data files an image may name and have opened:
 *     {@code none} or {@code confined} for untrusted images</td></tr>
 * <tr><td>{@code confineTo}</td><td>a directory ({@code Path}, URI or String)</td><td>where
 *     {@code confined} follows names to: relative names, no {@code ..}, no links out, formats
 *     named, never probed</td></tr>
 * </table>
 * The creation keys are read only when {@code create} makes a new image.
 *
 * <h2>Attributes</h2>
 * {@code Files.readAttributes(path, "qcow2:*")} gives the basic attributes and
 * {@code virtualSize}, {@code clusterSize}, {@code version}, {@code compressionType},
 * {@code backingFile}, {@code backingFormat}, {@code dataFile}, {@code extendedL2},
 * {@code lazyRefcounts}, {@code refcountBits}, {@code dirty}, {@code corrupt} and
 * {@code snapshots}; on {@code /snapshots/NAME} also the snapshot's {@code id}, {@code date},
 * {@code vmClock}, {@code vmStateSize} and {@code diskSize}.
 *
 * <h2>Block status, sparse copies, creation</h2>
 * The channel of {@code /disk} (and of each snapshot) implements
 * {@link io.github.qcow2nio.provider.BlockStatusChannel}: cast it to ask which ranges hold data
 * ({@link io.github.qcow2nio.provider.DiskExtent}, as {@code qemu-img map} reports them).
 * {@code transferTo} into a file leaves holes where the disk reads zeros; writes of zeros,
 * {@code transferFrom} and {@code Files.copy(file, /disk, REPLACE_EXISTING)} (deleting
 * {@code /disk} empties it) store no zero blocks. Create images with
 * {@link io.github.qcow2nio.provider.Qcow2FileSystems#create}: {@code newFileSystem(path,
 * {create=true})} reaches the zip provider first, which makes an empty zip. Details in the
 * module's README.
 *
 * <h2>Errors</h2>
 * Every problem with an image's bytes is an {@code IOException} (a {@code Qcow2Exception} of the
 * core) naming the structure, the offset and what was expected.
 *
 * @provides java.nio.file.spi.FileSystemProvider the {@code qcow2} scheme
 */
module io.github.qcow2nio.provider {
  requires transitive io.github.qcow2nio.format;
  // Transitive: the public Qcow2Path is an AbstractPath of the shared module.
  requires transitive io.github.qcow2nio.nio;

  exports io.github.qcow2nio.provider;

  provides java.nio.file.spi.FileSystemProvider
      with io.github.qcow2nio.provider.Qcow2FileSystemProvider;
}
