package io.github.qcow2nio.provider;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.KeySecret;
import io.github.qcow2nio.format.io.ReferencePolicy;
import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The env map of {@code newFileSystem}, parsed and checked: every key of README's env table, each
 * value given as a String or as its natural type.
 *
 * @param creation the creation keys, as the core takes them; its size is -1 when {@code size} was
 *     not given (a new image then takes its backing file's size)
 * @param locking {@code locking}: take QEMU's image locks (default true)
 * @param forceShare {@code forceShare}: open an image another program holds, as {@code qemu-img
 *     -U}; read-only
 * @param compress {@code compress}: whole-cluster writes to unallocated clusters of {@code /disk}
 *     are stored compressed (QEMU's {@code compress} filter)
 * @param backingPolicy {@code backingPolicy}: which backing and data files are opened
 * @param confineTo {@code confineTo} as given (a Path, a URI or a String), for a confined policy
 * @param keySecret {@code keySecret}: the passphrase of an encrypted image, copied from the env
 *     (its {@code toString} hides it), or null
 */
record Qcow2Env(AccessMode accessMode, boolean create, CreateOptions creation, boolean locking,
    boolean forceShare, boolean compress, ReferencePolicy.Mode backingPolicy, Object confineTo,
    KeySecret keySecret) {

  /** The env without a reference policy or a key secret. */
  Qcow2Env(AccessMode accessMode, boolean create, CreateOptions creation, boolean locking,
      boolean forceShare, boolean compress) {
    this(accessMode, create, creation, locking, forceShare, compress,
        ReferencePolicy.Mode.FOLLOW, null, null);
  }

  /** {@code accessMode}: DEFAULT is read-write when the image file can be written. */
  enum AccessMode {
    DEFAULT, READ_ONLY, READ_WRITE
  }

  static final List<String> KEYS = List.of("accessMode", "create", "size", "clusterSize", "compat",
      "refcountBits", "extendedL2", "compressionType", "lazyRefcounts", "backingFile",
      "backingFormat", "dataFile", "dataFileRaw", "preallocation", "locking", "forceShare",
      "compress", "backingPolicy", "confineTo", "keySecret");

  static Qcow2Env parse(Map<String, ?> env) {
    if (env == null) {
      env = Map.of();
    }
    for (Object key : env.keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown qcow2 file system option '" + key + "'; valid keys are " + KEYS);
      }
    }
    AccessMode mode = AccessMode.DEFAULT;
    Object m = env.get("accessMode");
    if (m != null) {
      mode = switch (string("accessMode", m)) {
        case "readOnly" -> AccessMode.READ_ONLY;
        case "readWrite" -> AccessMode.READ_WRITE;
        default -> throw bad("accessMode", m, "readOnly, readWrite");
      };
    }
    Long size = env.containsKey("size") ? bytes("size", env.get("size")) : null;
    if (size != null && size < 0) {
      throw bad("size", env.get("size"), "a size in bytes of 0 or more, such as 1048576 or 10G");
    }
    long cluster = env.containsKey("clusterSize") ? bytes("clusterSize", env.get("clusterSize"))
        : 65536;
    if (cluster < 512 || cluster > 2 * 1024 * 1024 || Long.bitCount(cluster) != 1) {
      throw bad("clusterSize", env.get("clusterSize"), "a power of two from 512 to 2M");
    }
    int version = 3;
    Object compat = env.get("compat");
    if (compat != null) {
      version = switch (string("compat", compat)) {
        case "0.10", "v2" -> 2;
        case "1.1", "v3" -> 3;
        default -> throw bad("compat", compat, "0.10, 1.1");
      };
    }
    int refcountBits = 16;
    Object rb = env.get("refcountBits");
    if (rb != null) {
      long v = integer("refcountBits", rb, "1, 2, 4, 8, 16, 32, 64");
      if (v < 1 || v > 64 || Long.bitCount(v) != 1) {
        throw bad("refcountBits", rb, "1, 2, 4, 8, 16, 32, 64");
      }
      refcountBits = (int) v;
    }
    int compression = 0;
    Object ct = env.get("compressionType");
    if (ct != null) {
      compression = switch (string("compressionType", ct)) {
        case "zlib" -> 0;
        case "zstd" -> 1;
        default -> throw bad("compressionType", ct, "zlib, zstd");
      };
    }
    String backingFormat = null;
    Object bf = env.get("backingFormat");
    if (bf != null) {
      backingFormat = string("backingFormat", bf);
      if (!backingFormat.equals("qcow2") && !backingFormat.equals("raw")) {
        throw bad("backingFormat", bf, "qcow2, raw");
      }
    }
    CreateOptions.Preallocation prealloc = CreateOptions.Preallocation.OFF;
    Object pa = env.get("preallocation");
    if (pa != null) {
      prealloc = switch (string("preallocation", pa)) {
        case "off" -> CreateOptions.Preallocation.OFF;
        case "metadata" -> CreateOptions.Preallocation.METADATA;
        case "falloc" -> CreateOptions.Preallocation.FALLOC;
        case "full" -> CreateOptions.Preallocation.FULL;
        default -> throw bad("preallocation", pa, "off, metadata, falloc, full");
      };
    }
    boolean forceShare = bool(env, "forceShare", false);
    if (forceShare && (mode == AccessMode.READ_WRITE || bool(env, "create", false))) {
      // QEMU's words for qemu-img -U on a writable open.
      throw new IllegalArgumentException("qcow2 file system option 'forceShare': "
          + "force-share=on can only be used with read-only images (accessMode=readOnly)");
    }
    ReferencePolicy.Mode policy = ReferencePolicy.Mode.FOLLOW;
    Object bp = env.get("backingPolicy");
    if (bp != null) {
      String given = string("backingPolicy", bp);
      policy = null;
      for (ReferencePolicy.Mode candidate : ReferencePolicy.Mode.values()) {
        if (candidate.key().equals(given) || candidate.name().equals(given)) {
          policy = candidate;
        }
      }
      if (policy == null) {
        throw bad("backingPolicy", bp, "follow, none, confined");
      }
    }
    Object confineTo = env.get("confineTo");
    if (confineTo != null && !(confineTo instanceof Path || confineTo instanceof URI
        || confineTo instanceof String s && !s.isEmpty())) {
      throw bad("confineTo", confineTo, "a directory as a Path, a URI or a String");
    }
    if (policy == ReferencePolicy.Mode.CONFINED && confineTo == null) {
      throw new IllegalArgumentException(
          "qcow2 file system option 'backingPolicy=confined' needs 'confineTo' (a directory)");
    }
    if (policy != ReferencePolicy.Mode.CONFINED && confineTo != null) {
      throw new IllegalArgumentException("qcow2 file system option 'confineTo' goes with "
          + "'backingPolicy=confined', not with backingPolicy=" + policy.key());
    }
    return new Qcow2Env(mode, bool(env, "create", false),
        CreateOptions.builder(size == null ? -1 : size).clusterSize((int) cluster)
            .version(version).refcountBits(refcountBits)
            .extendedL2(bool(env, "extendedL2", false)).compressionType(compression)
            .lazyRefcounts(bool(env, "lazyRefcounts", false))
            .backingFile(name(env, "backingFile")).backingFormat(backingFormat)
            .dataFile(name(env, "dataFile")).dataFileRaw(bool(env, "dataFileRaw", false))
            .preallocation(prealloc).build(),
        bool(env, "locking", true), forceShare, bool(env, "compress", false), policy, confineTo,
        keySecret(env.get("keySecret")));
  }

  /**
   * The reference policy for the image at {@code image}: a String {@code confineTo} is a path on
   * the image's own file system, as backing names are.
   */
  ReferencePolicy referencePolicy(Path image) {
    return switch (backingPolicy) {
      case FOLLOW -> ReferencePolicy.follow();
      case NONE -> ReferencePolicy.none();
      case CONFINED -> ReferencePolicy.confinedTo(directory(image));
    };
  }

  private Path directory(Path image) {
    if (confineTo instanceof Path p) {
      return p;
    }
    if (confineTo instanceof URI u) {
      try {
        return Path.of(u);
      } catch (IllegalArgumentException | FileSystemNotFoundException e) {
        throw bad("confineTo", u, "a URI of a directory on an installed, open file system");
      }
    }
    return image.getFileSystem().getPath((String) confineTo);
  }

  /** {@code keySecret}: a bad value is named by its type only, never shown. */
  private static KeySecret keySecret(Object v) {
    if (v == null) {
      return null;
    }
    try {
      return KeySecret.fromObject(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("qcow2 file system option 'keySecret': "
          + e.getMessage());
    }
  }

  /**
   * Whether the image is opened writable: {@code accessMode}, or by default when its file can be
   * written; a force-share open is read-only, as {@code qemu-img -U}.
   */
  boolean writable(java.util.function.BooleanSupplier fileWritable) {
    return switch (accessMode) {
      case READ_ONLY -> false;
      case READ_WRITE -> true;
      case DEFAULT -> !forceShare && fileWritable.getAsBoolean();
    };
  }

  /** {@code dataFile}: on open, overrides the image's own data file name. */
  String dataFile() {
    return creation.dataFile();
  }

  /** The creation options, as {@code qemu-img create} would take them. */
  CreateOptions createOptions() {
    if (creation.size() < 0 && creation.backingFile() == null) {
      throw new IllegalArgumentException(
          "creating a qcow2 image needs 'size' (or a 'backingFile' to take the size from)");
    }
    return creation;
  }

  private static boolean bool(Map<String, ?> env, String key, boolean otherwise) {
    Object v = env.get(key);
    if (v == null) {
      return otherwise;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      switch (s.toLowerCase(Locale.ROOT)) {
        case "true", "on" -> {
          return true;
        }
        case "false", "off" -> {
          return false;
        }
        default -> { }
      }
    }
    throw bad(key, v, "true, false");
  }

  private static String name(Map<String, ?> env, String key) {
    Object v = env.get(key);
    if (v == null) {
      return null;
    }
    String s = v instanceof Path p ? p.toString() : string(key, v);
    if (s.isEmpty()) {
      throw bad(key, v, "a non-empty file name");
    }
    return s;
  }

  private static String string(String key, Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Number || v instanceof Boolean || v instanceof Enum<?>) {
      return v.toString();
    }
    throw new IllegalArgumentException("qcow2 file system option '" + key
        + "' takes a String, not a " + v.getClass().getName() + " (" + v + ")");
  }

  private static long integer(String key, Object v, String valid) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    try {
      return Long.parseLong(string(key, v).trim());
    } catch (NumberFormatException e) {
      throw bad(key, v, valid);
    }
  }

  /** Bytes as a number, or a String with qemu's suffixes: k, M, G, T, P, E (powers of 1024). */
  static long bytes(String key, Object v) {
    String valid = "a size in bytes such as 1048576, 64k, 10G";
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      return ((Number) v).longValue();
    }
    String s = string(key, v).trim();
    if (s.isEmpty()) {
      throw bad(key, v, valid);
    }
    char last = Character.toUpperCase(s.charAt(s.length() - 1));
    int shift = switch (last) {
      case 'B' -> 0;
      case 'K' -> 10;
      case 'M' -> 20;
      case 'G' -> 30;
      case 'T' -> 40;
      case 'P' -> 50;
      case 'E' -> 60;
      default -> -1;
    };
    String digits = shift < 0 ? s : s.substring(0, s.length() - 1);
    try {
      long n = Long.parseLong(digits);
      if (n < 0) {
        throw bad(key, v, valid);
      }
      shift = Math.max(shift, 0);
      if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
        throw bad(key, v, valid + " (at most 8E)");
      }
      return n << shift;
    } catch (NumberFormatException e) {
      throw bad(key, v, valid);
    }
  }

  private static IllegalArgumentException bad(String key, Object value, String valid) {
    return new IllegalArgumentException("bad value '" + value + "' for qcow2 file system option '"
        + key + "'; valid values: " + valid);
  }
}
