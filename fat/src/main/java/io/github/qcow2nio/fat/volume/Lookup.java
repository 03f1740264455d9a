package io.github.qcow2nio.fat.volume;

import io.github.qcow2nio.fat.FatException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Names to nodes, one directory at a time, remembering the directories passed so that an entry
 * pointing back at one of them (a loop a walk would never leave) is an error, not a path.
 * Called under the volume's lock.
 */
final class Lookup {
  private final FatVolume volume;

  Lookup(FatVolume volume) {
    this.volume = volume;
  }

  /** The node at {@code names} and the clusters of the directories above it (for loop checks). */
  record Found(Node node, Set<Long> ancestors) {}

  Found resolve(String[] names) throws IOException {
    Node node = Node.root();
    Set<Long> ancestors = new HashSet<>();
    ancestors.add(volume.rootCluster());
    for (int i = 0; i < names.length; i++) {
      if (!node.isDirectory()) {
        throw new NotDirectoryException(join(names, i));
      }
      Node child = child(node, names[i]);
      if (child == null) {
        throw new NoSuchFileException(join(names, names.length));
      }
      if (child.isDirectory()) {
        checkNoLoop(child, ancestors);
        if (i < names.length - 1) {
          ancestors.add(child.entry().firstCluster());
        }
      }
      node = child;
    }
    return new Found(node, ancestors);
  }

  private void checkNoLoop(Node dir, Set<Long> ancestors) throws FatException {
    long c = dir.entry().firstCluster();
    if (c == 0 || ancestors.contains(c)) {
      throw FatException.corrupt("directory entry '" + dir.name() + "'",
          volume.clusterOffset(Math.max(2, dir.dirCluster())),
          "a directory cluster of its own, but it points at " + c
              + (c == 0 ? " (the root)" : ", a directory above it (a loop)"));
    }
  }

  Node child(Node dir, String name) throws IOException {
    long c = volume.clusterOf(dir);
    for (DirRecord r : new Directory(volume, c).records()) {
      if (r.matches(name)) {
        return new Node(r.name(), r.entry(), c, r.firstSlot(), r.shortSlot());
      }
    }
    return null;
  }

  static String join(String[] names, int count) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < count; i++) {
      b.append('/').append(names[i]);
    }
    return b.length() == 0 ? "/" : b.toString();
  }

  /** The entries of the directory at {@code names}. */
  List<Node> list(String[] names) throws IOException {
    Found f = resolve(names);
    if (!f.node().isDirectory()) {
      throw new NotDirectoryException(join(names, names.length));
    }
    long c = volume.clusterOf(f.node());
    Set<Long> above = new HashSet<>(f.ancestors());
    above.add(c);
    List<Node> out = new ArrayList<>();
    for (DirRecord r : new Directory(volume, c).records()) {
      Node n = new Node(r.name(), r.entry(), c, r.firstSlot(), r.shortSlot());
      if (n.isDirectory()) {
        checkNoLoop(n, above);
      }
      out.add(n);
    }
    return out;
  }
}
