package io.github.qcow2nio.fat.volume;

import io.github.qcow2nio.fat.FatType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A mounted FAT volume: names to entries, and the changes to the namespace (create, delete,
 * move). File contents go through {@link FileIo}, and the handles of open files are kept by
 * {@code OpenFiles}. Paths are given as arrays of names from the root. Every public method holds
 * the volume's monitor, the one lock of the file system.
 */
public final class FatVolume {
  private final Device device;
  private final BootSector boot;
  private final FatTable fat;
  private final OpenFiles openFiles;
  private final FileIo io;

  private FatVolume(Device device, BootSector boot, FatTable fat) {
    this.device = device;
    this.boot = boot;
    this.fat = fat;
    this.openFiles = new OpenFiles(this);
    this.io = new FileIo(this);
  }

  /** Mounts the volume on {@code device}, checking its geometry and reading its FAT. */
  public static FatVolume mount(Device device) throws IOException {
    ByteBuffer first = ByteBuffer.allocate(BootSector.SIZE);
    device.readFully(0, first, "boot sector");
    BootSector boot = BootSector.parse(first, device.size());
    FatTable fat = FatTable.load(device, boot);
    return new FatVolume(device, boot, fat);
  }

  Device device() {
    return device;
  }

  BootSector boot() {
    return boot;
  }

  FatTable fat() {
    return fat;
  }

  public FileIo io() {
    return io;
  }

  public FatType type() {
    return boot.type();
  }

  public boolean isWritable() {
    return device.isWritable();
  }

  public int clusterSize() {
    return boot.clusterSize();
  }

  public synchronized long totalClusters() {
    return fat.entries() - 2;
  }

  public synchronized long freeClusters() {
    return fat.freeCount();
  }

  /** The label from the root's volume-label entry, else the boot sector's; trimmed. */
  public synchronized String label() throws IOException {
    ShortEntry e = new Directory(this, rootCluster()).volumeLabel();
    String l = e != null ? new String(e.name(), StandardCharsets.ISO_8859_1) : boot.label();
    l = l.strip();
    return l.equals("NO NAME") ? "" : l;
  }

  long clusterOffset(long cluster) {
    return boot.dataStartSector() * boot.bytesPerSector() + (cluster - 2) * boot.clusterSize();
  }

  long rootCluster() {
    return boot.fat32() ? boot.rootCluster() : 0;
  }

  long clusterOf(Node n) {
    return n.isRoot() ? rootCluster() : n.entry().firstCluster();
  }

  /** A cluster taken from the free ones and filled with zeros. */
  long allocateZeroed() throws IOException {
    long c = fat.allocate();
    device.writeFully(clusterOffset(c), ByteBuffer.allocate(boot.clusterSize()));
    return c;
  }

  // ---- lookup

  private final Lookup lookup = new Lookup(this);

  private Lookup.Found resolve(String[] names) throws IOException {
    return lookup.resolve(names);
  }

  private Node child(Node dir, String name) throws IOException {
    return lookup.child(dir, name);
  }

  private static String join(String[] names, int count) {
    return Lookup.join(names, count);
  }

  public synchronized Node lookup(String[] names) throws IOException {
    return resolve(names).node();
  }

  /** The entries of the directory at {@code names}. */
  public synchronized List<Node> list(String[] names) throws IOException {
    return lookup.list(names);
  }

  // ---- changes

  private void checkWritable() throws IOException {
    if (!device.isWritable()) {
      throw new FileSystemException(null, null, "the FAT volume is read-only");
    }
  }

  /** Creates an empty file or directory at {@code names}, stamped {@code now}. */
  public synchronized Node create(String[] names, boolean directory, Instant now)
      throws IOException {
    checkWritable();
    String name = names[names.length - 1];
    String why = ShortNames.invalidReason(name);
    if (why != null) {
      throw new FileSystemException(join(names, names.length), null, why);
    }
    Node parent = parentOf(names);
    if (child(parent, name) != null) {
      throw new FileAlreadyExistsException(join(names, names.length));
    }
    long parentCluster = clusterOf(parent);
    int date = DosTime.date(now);
    int time = DosTime.time(now);
    ShortEntry e = new ShortEntry(new byte[11], directory ? ShortEntry.DIRECTORY
        : ShortEntry.ARCHIVE, 0, DosTime.tenMs(now), time, date, date, 0, time, date, 0);
    if (directory) {
      long c = allocateZeroed();
      e = e.withCluster(c);
      ByteBuffer dots = ByteBuffer.allocate(2 * ShortEntry.SIZE);
      e.withName(".          ".getBytes(StandardCharsets.US_ASCII), 0).serialize(dots, 0);
      e.withName("..         ".getBytes(StandardCharsets.US_ASCII), 0)
          .withCluster(parent.isRoot() ? 0 : parentCluster).serialize(dots, ShortEntry.SIZE);
      device.writeFully(clusterOffset(c), dots);
      fat.writeDirty();
    }
    try {
      Node made = insert(new Directory(this, parentCluster), name, e);
      touch(Arrays.copyOf(names, names.length - 1), now);
      return made;
    } catch (IOException | RuntimeException failed) {
      if (directory) {
        // The name did not fit (a full root or a full volume): the cluster goes back.
        fat.set(e.firstCluster(), 0);
        fat.writeDirty();
      }
      throw failed;
    }
  }

  private Node parentOf(String[] names) throws IOException {
    if (names.length == 0) {
      throw new FileSystemException("/", null, "the root directory has no name");
    }
    String[] up = Arrays.copyOf(names, names.length - 1);
    Node parent = resolve(up).node();
    if (!parent.isDirectory()) {
      throw new NotDirectoryException(join(up, up.length));
    }
    return parent;
  }

  /** Writes {@code name}'s long-name entries (when it needs them) and its short entry. */
  private Node insert(Directory dir, String name, ShortEntry e) throws IOException {
    ShortNames.Stored exact = ShortNames.exact(name);
    Set<String> taken = dir.shortNamesTaken();
    LfnEntry[] lfn;
    if (exact != null && !taken.contains(ShortNames.key(exact.name()))) {
      e = e.withName(exact.name(), exact.caseFlags());
      lfn = new LfnEntry[0];
    } else {
      byte[] alias = ShortNames.generate(name, taken);
      e = e.withName(alias, 0);
      lfn = LfnEntry.forName(name, LfnEntry.checksum(alias));
    }
    int slot = dir.findFree(lfn.length + 1);
    ByteBuffer b = ByteBuffer.allocate((lfn.length + 1) * ShortEntry.SIZE);
    for (int i = 0; i < lfn.length; i++) {
      lfn[i].serialize(b, i * ShortEntry.SIZE);
    }
    e.serialize(b, lfn.length * ShortEntry.SIZE);
    dir.write(slot, b);
    return new Node(name, e, dir.cluster(), slot, slot + lfn.length);
  }

  /** Deletes the file, or the directory when it is empty. */
  public synchronized void delete(String[] names) throws IOException {
    checkWritable();
    Node n = resolve(names).node();
    if (n.isRoot()) {
      throw new FileSystemException("/", null, "the root directory cannot be deleted");
    }
    remove(n, join(names, names.length));
    touch(Arrays.copyOf(names, names.length - 1), Instant.now());
  }

  /** Stamps a directory modified (its contents changed), as Linux does; the root has no entry. */
  private void touch(String[] dir, Instant now) throws IOException {
    Node d = resolve(dir).node();
    if (!d.isRoot()) {
      rewrite(d, d.entry().withWritten(DosTime.date(now), DosTime.time(now)));
    }
  }

  private void remove(Node n, String shown) throws IOException {
    if (openFiles.get(n) != null) {
      throw new FileSystemException(shown, null, "the file is open");
    }
    if (n.isDirectory()) {
      if (!new Directory(this, n.entry().firstCluster()).records().isEmpty()) {
        throw new DirectoryNotEmptyException(shown);
      }
    }
    long[] chain = fat.chain(n.entry().firstCluster(), shown);
    new Directory(this, n.dirCluster()).delete(n.firstSlot(), n.shortSlot());
    fat.free(chain, 0, chain.length);
    fat.writeDirty();
  }

  /** Moves (renames) {@code from} to {@code to}, replacing an existing file only if asked. */
  public synchronized void move(String[] from, String[] to, boolean replace) throws IOException {
    checkWritable();
    Node src = resolve(from).node();
    if (src.isRoot()) {
      throw new FileSystemException("/", null, "the root directory cannot be moved");
    }
    String name = to[to.length - 1];
    String why = ShortNames.invalidReason(name);
    if (why != null) {
      throw new FileSystemException(join(to, to.length), null, why);
    }
    Lookup.Found parentFound = resolve(Arrays.copyOf(to, to.length - 1));
    Node parent = parentFound.node();
    if (!parent.isDirectory()) {
      throw new NotDirectoryException(join(to, to.length - 1));
    }
    long parentCluster = clusterOf(parent);
    if (src.isDirectory() && (parentFound.ancestors().contains(src.entry().firstCluster())
        || parentCluster == src.entry().firstCluster())) {
      throw new FileSystemException(join(from, from.length), join(to, to.length),
          "a directory cannot move into itself");
    }
    Node existing = child(parent, name);
    if (existing != null && !existing.key().equals(src.key())) {
      if (!replace) {
        throw new FileAlreadyExistsException(join(to, to.length));
      }
      remove(existing, join(to, to.length));
    }
    FileHandle h = openFiles.remove(src);
    Directory oldDir = new Directory(this, src.dirCluster());
    ByteBuffer saved = oldDir.copy(src.firstSlot(), src.shortSlot());
    oldDir.delete(src.firstSlot(), src.shortSlot());
    ShortEntry e = h != null ? h.entry : src.entry();
    Node moved;
    try {
      moved = insert(new Directory(this, parentCluster), name, e);
    } catch (IOException | RuntimeException failed) {
      // No room for the new name: the old entries come back as they were.
      new Directory(this, src.dirCluster()).write(src.firstSlot(), saved);
      if (h != null) {
        openFiles.put(h);
      }
      throw failed;
    }
    if (src.isDirectory() && src.dirCluster() != parentCluster) {
      Directory d = new Directory(this, src.entry().firstCluster());
      ShortEntry dotdot = d.entry(1);
      if (dotdot.name()[0] == '.' && dotdot.name()[1] == '.') {
        d.writeEntry(1, dotdot.withCluster(parent.isRoot() ? 0 : parentCluster));
      }
    }
    if (h != null) {
      h.dirCluster = moved.dirCluster();
      h.shortSlot = moved.shortSlot();
      h.entry = moved.entry();
      openFiles.put(h);
    }
    Instant now = Instant.now();
    touch(Arrays.copyOf(from, from.length - 1), now);
    touch(Arrays.copyOf(to, to.length - 1), now);
  }

  /** Sets the attribute bits that may change (read-only, hidden, system, archive). */
  public synchronized void setAttributes(String[] names, int attributes) throws IOException {
    checkWritable();
    Node n = resolve(names).node();
    if (n.isRoot()) {
      throw new FileSystemException("/", null, "the root directory has no attributes");
    }
    int keep = n.entry().attributes() & (ShortEntry.DIRECTORY | ShortEntry.VOLUME_ID);
    int set = attributes & (ShortEntry.READ_ONLY | ShortEntry.HIDDEN | ShortEntry.SYSTEM
        | ShortEntry.ARCHIVE);
    rewrite(n, n.entry().withAttributes(keep | set));
  }

  /** Sets whichever of the three times is not null. */
  public synchronized void setTimes(String[] names, Instant modified, Instant accessed,
      Instant created) throws IOException {
    checkWritable();
    Node n = resolve(names).node();
    if (n.isRoot()) {
      throw new FileSystemException("/", null, "the root directory has no times on FAT");
    }
    FileHandle h = openFiles.get(n);
    ShortEntry e = h != null ? h.entry : n.entry();
    if (modified != null) {
      e = e.withWritten(DosTime.date(modified), DosTime.time(modified));
    }
    if (accessed != null) {
      e = e.withAccessed(DosTime.date(accessed));
    }
    if (created != null) {
      e = e.withCreated(DosTime.date(created), DosTime.time(created), DosTime.tenMs(created));
    }
    rewrite(n, e);
  }

  private void rewrite(Node n, ShortEntry e) throws IOException {
    new Directory(this, n.dirCluster()).writeEntry(n.shortSlot(), e);
    FileHandle h = openFiles.get(n);
    if (h != null) {
      h.entry = e;
    }
  }

  // ---- open files

  /** The shared handle of the file {@code n}, its chain checked against its size. */
  public synchronized FileHandle open(Node n, String shown) throws IOException {
    return openFiles.open(n, shown);
  }

  public synchronized void close(FileHandle h) {
    openFiles.close(h);
  }

  /** Writes a handle's entry back to its directory. */
  void writeEntry(FileHandle h) throws IOException {
    openFiles.writeEntry(h);
  }

  /** Writes the FAT copies and, on FAT32, the FSInfo hints; then forces the device. */
  public synchronized void flush() throws IOException {
    if (!device.isWritable()) {
      return;
    }
    fat.flush();
    device.force();
  }
}
