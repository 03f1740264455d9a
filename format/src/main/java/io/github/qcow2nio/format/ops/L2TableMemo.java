package io.github.qcow2nio.format.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The distinct L2 tables a check meets, by host offset: how many L1 entries (of every L1 table)
 * name each one, how many of them are the active table's, whether it has been walked, and the
 * messages its walk printed, to print again at each further reference as {@code qemu-img check}
 * would by walking it again. Snapshots share L2 tables with the active layer; walking each
 * distinct table once with its count keeps the check's time proportional to the file.
 *
 * <p>An open-addressing map on primitive arrays: its size is bounded by the caller (at most
 * twice the file's clusters), so that a hostile L1 full of distinct unaligned offsets cannot
 * make it grow past the file's measure.
 */
final class L2TableMemo {
  private long[] keys;
  private long[] refs;
  private long[] activeRefs;
  private boolean[] used;
  private boolean[] walked;
  private List<List<String>> messages = new ArrayList<>();
  private int[] messageIndex;
  private int size;
  private final long maxSize;

  L2TableMemo(long maxSize) {
    this.maxSize = maxSize;
    allocate(64);
  }

  private void allocate(int capacity) {
    keys = new long[capacity];
    refs = new long[capacity];
    activeRefs = new long[capacity];
    used = new boolean[capacity];
    walked = new boolean[capacity];
    messageIndex = new int[capacity];
    Arrays.fill(messageIndex, -1);
  }

  int size() {
    return size;
  }

  /**
   * Adds {@code count} references (of which {@code active} from the active table) to the table
   * at {@code offset}; false when that would make more distinct tables than the bound allows.
   */
  boolean add(long offset, long count, long active) {
    int i = slot(offset);
    if (!used[i]) {
      if (size >= maxSize) {
        return false;
      }
      if (2L * (size + 1) > keys.length) {
        grow();
        i = slot(offset);
      }
      used[i] = true;
      keys[i] = offset;
      size++;
    }
    refs[i] += count;
    activeRefs[i] += active;
    return true;
  }

  /** The slot of a table {@link #add} has seen, or -1. */
  int find(long offset) {
    int i = slot(offset);
    return used[i] ? i : -1;
  }

  long refs(int slot) {
    return refs[slot];
  }

  long activeRefs(int slot) {
    return activeRefs[slot];
  }

  boolean walked(int slot) {
    return walked[slot];
  }

  /** Marks the table walked, its repeatable messages in {@code printed} (may be empty). */
  void walked(int slot, List<String> printed) {
    walked[slot] = true;
    if (!printed.isEmpty()) {
      messageIndex[slot] = messages.size();
      messages.add(List.copyOf(printed));
    }
  }

  List<String> messages(int slot) {
    return messageIndex[slot] < 0 ? List.of() : messages.get(messageIndex[slot]);
  }

  private int slot(long offset) {
    int mask = keys.length - 1;
    int i = (int) (mix(offset) & mask);
    while (used[i] && keys[i] != offset) {
      i = (i + 1) & mask;
    }
    return i;
  }

  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    return x;
  }

  private void grow() {
    long[] k = keys;
    long[] r = refs;
    long[] a = activeRefs;
    boolean[] u = used;
    boolean[] w = walked;
    int[] m = messageIndex;
    allocate(k.length * 2);
    for (int j = 0; j < k.length; j++) {
      if (u[j]) {
        int i = slot(k[j]);
        used[i] = true;
        keys[i] = k[j];
        refs[i] = r[j];
        activeRefs[i] = a[j];
        walked[i] = w[j];
        messageIndex[i] = m[j];
      }
    }
  }
}
