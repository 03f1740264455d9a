package io.github.qcow2nio.ext4.read;

import io.github.qcow2nio.ext4.Ext4CorruptException;
import io.github.qcow2nio.ext4.disk.DirEntry;
import io.github.qcow2nio.ext4.disk.Inode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns names into inodes as Linux does: "." stays, ".." goes back to the directory actually
 * entered before (so it is right after following a symlink), symlinks are followed up to
 * {@link #MAX_LINKS} times. Directories cannot be hard-linked, so a directory met again while
 * descending is a loop in the file system and an error rather than an endless walk.
 */
public final class Resolver {
  public static final int MAX_LINKS = 40;
  /** Linux's PATH_MAX: a longer symlink target is corrupt. */
  public static final int MAX_TARGET = 4096;
  /** Directories up to this size have their names indexed in memory once read. */
  private static final long INDEXED_DIR = 1L << 20;
  private static final int INDEXED_DIRS = 32;

  private final Volume volume;
  private final Map<Long, Map<String, DirEntry>> indexes = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Map<String, DirEntry>> eldest) {
      return size() > INDEXED_DIRS;
    }
  };

  public Resolver(Volume volume) {
    this.volume = volume;
  }

  /**
   * The inode {@code names} lead to from the root; the last one's symlink is followed only when
   * {@code followLast}. {@code shown} names the path in exceptions.
   */
  public Resolved resolve(List<String> names, boolean followLast, String shown)
      throws IOException {
    Deque<String> todo = new ArrayDeque<>(names);
    List<Inode> stack = new ArrayList<>();
    List<String> real = new ArrayList<>();
    stack.add(root());
    real.add("");
    int links = 0;
    while (!todo.isEmpty()) {
      String name = todo.pollFirst();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        if (stack.size() > 1) {
          stack.remove(stack.size() - 1);
          real.remove(real.size() - 1);
        }
        continue;
      }
      Inode dir = stack.get(stack.size() - 1);
      if (!dir.isDirectory()) {
        throw new NotDirectoryException(shown);
      }
      DirEntry e = lookup(dir, name);
      if (e == null) {
        throw new NoSuchFileException(shown);
      }
      Inode child = volume.inode(e.inode());
      if (!child.isInUse()) {
        throw new Ext4CorruptException("directory entry '" + name + "' of inode "
            + dir.number(), -1, "an inode in use, found free inode " + e.inode());
      }
      boolean last = todo.isEmpty();
      if (child.isSymlink() && (!last || followLast)) {
        if (++links > MAX_LINKS) {
          throw new FileSystemException(shown, null, "Too many levels of symbolic links");
        }
        String target = new String(symlinkTarget(child), StandardCharsets.UTF_8);
        String[] parts = target.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
          todo.addFirst(parts[i]);
        }
        if (target.startsWith("/")) {
          stack.subList(1, stack.size()).clear();
          real.subList(1, real.size()).clear();
        }
        continue;
      }
      if (child.isDirectory()) {
        for (Inode above : stack) {
          if (above.number() == child.number()) {
            throw new Ext4CorruptException("directory entry '" + name + "' of inode "
                + dir.number(), -1, "a directory not already on the path, found a loop back to"
                + " inode " + child.number());
          }
        }
      }
      stack.add(child);
      real.add(name);
    }
    return new Resolved(stack.get(stack.size() - 1), List.copyOf(real.subList(1, real.size())));
  }

  /** An inode and the names that reach it with no symlink, ".", or ".." on the way. */
  public record Resolved(Inode inode, List<String> realNames) {}

  private Inode root() throws IOException {
    Inode root = volume.inode(Volume.ROOT_INODE);
    if (!root.isDirectory()) {
      throw new Ext4CorruptException("root inode", -1, "a directory, found mode 0"
          + Integer.toOctalString(root.mode()));
    }
    return root;
  }

  /** The entry {@code name} of {@code dir}, or null. */
  public DirEntry lookup(Inode dir, String name) throws IOException {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    if (dir.size() > INDEXED_DIR || dir.hasFlag(Inode.INLINE_DATA_FL)) {
      return Directory.of(volume, dir).find(bytes);
    }
    Map<String, DirEntry> index;
    synchronized (indexes) {
      index = indexes.get(dir.number());
    }
    if (index == null) {
      index = new HashMap<>();
      Directory.Cursor c = Directory.of(volume, dir).cursor();
      for (List<DirEntry> chunk = c.next(); chunk != null; chunk = c.next()) {
        for (DirEntry e : chunk) {
          index.putIfAbsent(new String(e.name(), StandardCharsets.ISO_8859_1), e);
        }
      }
      synchronized (indexes) {
        indexes.put(dir.number(), index);
      }
    }
    return index.get(new String(bytes, StandardCharsets.ISO_8859_1));
  }

  /** The target of a symlink: fast (in {@code i_block}), inline, or in its data blocks. */
  public byte[] symlinkTarget(Inode link) throws IOException {
    long size = link.size();
    if (size < 0 || size >= MAX_TARGET) {
      throw new Ext4CorruptException("symlink inode " + link.number(), -1,
          "a target shorter than " + MAX_TARGET + " bytes, found " + size);
    }
    long xattrBlocks = link.fileAcl() != 0 ? volume.blockSize() / 512 : 0;
    boolean fast = !link.hasFlag(Inode.INLINE_DATA_FL) && size < Inode.BLOCK_AREA
        && (!link.hasFlag(Inode.EXTENTS_FL) || link.blocks512() - xattrBlocks == 0)
        && link.blocks512() - xattrBlocks == 0;
    if (fast) {
      byte[] t = new byte[(int) size];
      System.arraycopy(link.block(), 0, t, 0, t.length);
      return t;
    }
    return FileData.of(volume, link).readAll(MAX_TARGET, "symlink target");
  }
}
