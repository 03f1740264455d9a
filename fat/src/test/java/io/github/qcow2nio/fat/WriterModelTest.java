package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random operations (seeded) on a volume, mirrored on a model map of path to bytes: the volume
 * must read as the model through our reader after every step, and after the run fsck.fat -n
 * must find nothing wrong and mtools must read exactly the model. Volumes formatted by us and
 * by mkfs.fat, FAT12, FAT16 and FAT32.
 */
class WriterModelTest {
  private static final String[] NAMES = {
    "a", "B.TXT", "c.txt", "Long Name Number One.dat", "mixedCase.Ext", "dir", "Sub Dir",
    "x.y.z", "data~1", "ABCDEFGHIJ.KLM", "notes", "NOTES.TXT", "z",
  };

  @TempDir Path tmp;

  static Stream<Arguments> runs() {
    return Stream.of(
        Arguments.of(FatType.FAT12, 2L << 20, false, 1L, 512),
        Arguments.of(FatType.FAT12, 1L << 20, true, 2L, 512),
        Arguments.of(FatType.FAT16, 16L << 20, false, 3L, 512),
        Arguments.of(FatType.FAT16, 20L << 20, true, 4L, 512),
        Arguments.of(FatType.FAT32, 40L << 20, false, 5L, 512),
        Arguments.of(FatType.FAT32, 40L << 20, true, 6L, 512),
        Arguments.of(FatType.FAT16, 64L << 20, true, 7L, 4096),
        Arguments.of(FatType.FAT32, 300L << 20, true, 8L, 4096));
  }

  @ParameterizedTest(name = "{0}, mkfs.fat={2}, seed {3}, {4}-byte sectors")
  @MethodSource("runs")
  void randomOperationsMatchTheModel(FatType type, long size, boolean byMkfs, long seed,
      int sector) throws Exception {
    Path img = tmp.resolve("w.img");
    if (byMkfs) {
      Tools.assume("mkfs.fat");
      try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
        f.setLength(size);
      }
      Tools.ok("mkfs.fat", "-F", type.name().substring(3), "-s", "1", "-S", "" + sector, "-n",
          "MODEL", img.toString());
    } else {
      try (FileChannel ch = FileChannel.open(img, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        FatFormatter.format(ch, size, type, FormatOptions.defaults().withLabel("MODEL")
            .withSectorsPerCluster(1).withVolumeId(0x1234abcd));
      }
    }
    TreeMap<String, byte[]> model = new TreeMap<>();
    Random r = new Random(seed);
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      for (int step = 0; step < 250; step++) {
        step(fs, model, r);
        if (step % 25 == 0) {
          assertEquals("", Trees.diff(model, Trees.read(fs.getPath("/"))), "after step " + step);
        }
      }
      assertEquals("", Trees.diff(model, Trees.read(fs.getPath("/"))));
    }
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      assertEquals("", Trees.diff(model, Trees.read(fs.getPath("/"))), "after a remount");
    }
    Tools.assume("fsck.fat", "mdir", "mtype");
    Tools.assertFsckClean(img);
    assertEquals("", Trees.diff(model, Trees.mtoolsRead(img)), "mtools reads the model");
  }

  /**
   * The file as it stands at any moment of a session (a crash: no close, no flush) reads as the
   * model, and fsck.fat finds nothing wrong but, on FAT32, FSInfo's free count.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(FatType.class)
  void aCrashLeavesAReadableVolume(FatType type) throws Exception {
    long size = type == FatType.FAT32 ? 40L << 20 : type == FatType.FAT16 ? 16L << 20 : 2L << 20;
    Path img = Volumes.format(tmp.resolve("c.img"), size, type,
        FormatOptions.defaults().withSectorsPerCluster(1));
    TreeMap<String, byte[]> model = new TreeMap<>();
    Random r = new Random(type.ordinal() + 100);
    try (FileSystem fs = FileSystems.newFileSystem(img)) {
      for (int step = 1; step <= 160; step++) {
        step(fs, model, r);
        if (step % 40 == 0) {
          Path crashed = tmp.resolve("crash" + step + ".img");
          Files.copy(img, crashed);
          try (FileSystem after = FileSystems.newFileSystem(crashed,
              Map.of("accessMode", "readOnly"))) {
            assertEquals("", Trees.diff(model, Trees.read(after.getPath("/"))), "step " + step);
          }
          if (Tools.find("fsck.fat") != null) {
            // Every FAT change is on disk when its call returns: only FSInfo's free count,
            // written at close, may be stale.
            Tools.Result fsck = Tools.run("fsck.fat", "-n", crashed.toString());
            for (String line : (fsck.text() + fsck.err()).split("\n")) {
              assertTrue(line.isBlank() || line.startsWith("fsck.fat ")
                  || line.matches(".*: \\d+ files, \\d+/\\d+ clusters")
                  || line.startsWith("Free cluster summary wrong")
                  || line.strip().equals("Auto-correcting.")
                  || line.equals("Leaving filesystem unchanged."),
                  "step " + step + ": " + fsck.text() + fsck.err());
            }
          }
        }
      }
    }
    Tools.assume("fsck.fat");
    Tools.assertFsckClean(img);
  }

  private static List<String> dirs(Map<String, byte[]> model) {
    List<String> out = new ArrayList<>(List.of(""));
    for (String k : model.keySet()) {
      if (k.endsWith("/")) {
        out.add(k.substring(0, k.length() - 1));
      }
    }
    return out;
  }

  private static List<String> files(Map<String, byte[]> model) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : model.entrySet()) {
      if (e.getValue() != null) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  private static String existing(Map<String, byte[]> model, String path) {
    for (String k : model.keySet()) {
      String bare = k.endsWith("/") ? k.substring(0, k.length() - 1) : k;
      if (bare.equalsIgnoreCase(path)) {
        return k;
      }
    }
    return null;
  }

  private static <T> T pick(List<T> l, Random r) {
    return l.get(r.nextInt(l.size()));
  }

  private static byte[] bytes(Random r, int max) {
    byte[] b = new byte[r.nextInt(max + 1)];
    r.nextBytes(b);
    return b;
  }

  private void step(FileSystem fs, TreeMap<String, byte[]> model, Random r) throws Exception {
    List<String> files = files(model);
    int op = r.nextInt(11);
    if (files.isEmpty() && op >= 3 && op <= 6) {
      op = 0;
    }
    switch (op) {
      case 0, 1 -> {
        String path = pick(dirs(model), r) + "/" + pick(Arrays.asList(NAMES), r);
        byte[] content = bytes(r, r.nextInt(4) == 0 ? 20000 : 1500);
        if (existing(model, path) != null) {
          assertThrows(FileAlreadyExistsException.class, () -> Files.write(fs.getPath(path),
              content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
          return;
        }
        Files.write(fs.getPath(path), content, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
        model.put(path, content);
      }
      case 2 -> {
        String path = pick(dirs(model), r) + "/" + pick(Arrays.asList(NAMES), r);
        if (existing(model, path) != null) {
          assertThrows(FileAlreadyExistsException.class,
              () -> Files.createDirectory(fs.getPath(path)));
          return;
        }
        Files.createDirectory(fs.getPath(path));
        model.put(path + "/", null);
      }
      case 3 -> { // write at an offset, maybe past the end
        String f = pick(files, r);
        byte[] old = model.get(f);
        int at = r.nextInt(old.length + 3000);
        byte[] data = bytes(r, 3000);
        try (SeekableByteChannel ch = Files.newByteChannel(fs.getPath(f),
            StandardOpenOption.WRITE)) {
          ch.position(at);
          ch.write(ByteBuffer.wrap(data));
        }
        byte[] now = Arrays.copyOf(old, Math.max(old.length, at + data.length));
        System.arraycopy(data, 0, now, at, data.length);
        model.put(f, now);
      }
      case 4 -> { // append
        String f = pick(files, r);
        byte[] data = bytes(r, 5000);
        Files.write(fs.getPath(f), data, StandardOpenOption.APPEND);
        byte[] old = model.get(f);
        byte[] now = Arrays.copyOf(old, old.length + data.length);
        System.arraycopy(data, 0, now, old.length, data.length);
        model.put(f, now);
      }
      case 5 -> { // truncate or overwrite
        String f = pick(files, r);
        if (r.nextBoolean()) {
          int to = r.nextInt(model.get(f).length + 1);
          try (SeekableByteChannel ch = Files.newByteChannel(fs.getPath(f),
              StandardOpenOption.WRITE)) {
            ch.truncate(to);
          }
          model.put(f, Arrays.copyOf(model.get(f), to));
        } else {
          byte[] data = bytes(r, 4000);
          Files.write(fs.getPath(f), data);
          model.put(f, data);
        }
      }
      case 6 -> { // delete a file
        String f = pick(files, r);
        Files.delete(fs.getPath(f));
        model.remove(f);
      }
      case 7 -> { // delete a directory, empty or not
        List<String> ds = dirs(model);
        if (ds.size() == 1) {
          return;
        }
        String d = ds.get(1 + r.nextInt(ds.size() - 1));
        boolean empty = model.keySet().stream().noneMatch(k -> k.startsWith(d + "/")
            && !k.equals(d + "/"));
        if (!empty) {
          assertThrows(DirectoryNotEmptyException.class, () -> Files.delete(fs.getPath(d)));
          return;
        }
        Files.delete(fs.getPath(d));
        model.remove(d + "/");
      }
      case 8, 9 -> move(fs, model, r);
      default -> { // read a file back
        if (!files.isEmpty()) {
          String f = pick(files, r);
          assertArrayEquals(model.get(f), Files.readAllBytes(fs.getPath(f)), f);
        }
      }
    }
  }

  /** Renames and moves files and directories, with and without REPLACE_EXISTING. */
  private void move(FileSystem fs, TreeMap<String, byte[]> model, Random r) throws Exception {
    List<String> all = new ArrayList<>(model.keySet());
    if (all.isEmpty()) {
      return;
    }
    String key = pick(all, r);
    boolean dir = key.endsWith("/");
    String src = dir ? key.substring(0, key.length() - 1) : key;
    String parent = pick(dirs(model), r);
    String name = r.nextInt(5) == 0 ? src.substring(src.lastIndexOf('/') + 1).toUpperCase()
        : pick(Arrays.asList(NAMES), r);
    String dst = parent + "/" + name;
    if (dir && (parent + "/").startsWith(src + "/")) {
      return; // into itself: refused, checked elsewhere
    }
    String there = existing(model, dst);
    boolean replace = r.nextBoolean();
    if (there != null && !there.equals(key)) {
      boolean thereIsDir = there.endsWith("/");
      String bare = thereIsDir ? there.substring(0, there.length() - 1) : there;
      boolean thereEmpty = !thereIsDir || model.keySet().stream()
          .noneMatch(k -> k.startsWith(bare + "/") && !k.equals(there));
      if (!replace) {
        assertThrows(FileAlreadyExistsException.class,
            () -> Files.move(fs.getPath(src), fs.getPath(dst)));
        return;
      }
      if (!thereEmpty) {
        assertThrows(DirectoryNotEmptyException.class,
            () -> Files.move(fs.getPath(src), fs.getPath(dst),
                StandardCopyOption.REPLACE_EXISTING));
        return;
      }
      model.remove(there);
    }
    if (replace) {
      Files.move(fs.getPath(src), fs.getPath(dst), StandardCopyOption.REPLACE_EXISTING);
    } else {
      Files.move(fs.getPath(src), fs.getPath(dst));
    }
    TreeMap<String, byte[]> moved = new TreeMap<>();
    for (var it = model.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (e.getKey().equals(key) || (dir && e.getKey().startsWith(key))) {
        moved.put(dst + e.getKey().substring(src.length()), e.getValue());
        it.remove();
      }
    }
    model.putAll(moved);
  }
}
