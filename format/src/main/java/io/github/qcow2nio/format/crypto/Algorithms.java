package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.crypto.spi.LuksAlgorithmProvider;
import io.github.qcow2nio.format.error.UnsupportedImageException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Where LUKS ciphers and hashes come from: AES and the JDK's hashes are built in, the rest from
 * {@link LuksAlgorithmProvider}s found once with ServiceLoader (class path and module path). A
 * name qemu-img offers that no provider has is refused with the module that adds it.
 */
final class Algorithms {
  /** The optional module with Bouncy Castle's ciphers (see its README). */
  static final String EXTRA_MODULE = "qcow2-extra-ciphers";
  /** What qemu-img 7.2 offers beyond the JDK, which that module provides. */
  static final Set<String> EXTRA_CIPHERS = Set.of("twofish", "serpent", "cast5");
  static final Set<String> EXTRA_HASHES = Set.of("ripemd160");

  private Algorithms() {}

  private static final class Providers {
    /** Why a provider found could not be loaded (Bouncy Castle missing, say), for messages. */
    static final List<String> FAILURES = new ArrayList<>();
    static final List<LuksAlgorithmProvider> ALL = load();

    /** Bounds the providers tried, so a broken service file cannot keep the loader going. */
    private static final int MAX_PROVIDERS = 64;

    private static List<LuksAlgorithmProvider> load() {
      List<LuksAlgorithmProvider> out = new ArrayList<>();
      // The context loader sees the class path and the boot layer's modules; this module's own
      // loader covers a thread whose context loader is unset or unrelated.
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      for (ClassLoader l : new ClassLoader[] {context, Algorithms.class.getClassLoader()}) {
        Iterator<LuksAlgorithmProvider> it =
            ServiceLoader.load(LuksAlgorithmProvider.class, l).iterator();
        for (int tries = 0; tries < MAX_PROVIDERS; tries++) {
          try {
            if (!it.hasNext()) {
              break;
            }
            LuksAlgorithmProvider p = it.next();
            if (out.stream().noneMatch(q -> q.getClass() == p.getClass())) {
              out.add(p);
            }
          } catch (ServiceConfigurationError e) {
            // A provider that cannot be loaded is as good as absent: its ciphers are refused by
            // name, with this reason, which beats failing every encrypted image.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            FAILURES.add(cause.getClass().getSimpleName() + ": " + cause.getMessage());
          }
        }
      }
      return List.copyOf(out);
    }
  }

  /** The cipher family a header or an option names. */
  static LuksCipher cipher(String cipherName, String what) throws UnsupportedImageException {
    String name = cipherName.toLowerCase(Locale.ROOT);
    if (name.equals("aes")) {
      return LuksCipher.AES;
    }
    for (LuksAlgorithmProvider p : Providers.ALL) {
      var c = p.blockCipher(name);
      if (c != null && c.isPresent()) {
        return LuksCipher.provided(name, c.get());
      }
    }
    if (EXTRA_CIPHERS.contains(name)) {
      throw new UnsupportedImageException(what + ": LUKS cipher '" + cipherName + "' needs the "
          + EXTRA_MODULE + " module on the class path" + loadFailure());
    }
    throw new UnsupportedImageException(what + ": LUKS cipher '" + cipherName
        + "' is not supported (aes; twofish, serpent and cast5 with the " + EXTRA_MODULE
        + " module)");
  }

  /** The hash a header or an option names, if the JDK or a provider has it. */
  static Optional<LuksHash> hash(String hashSpec) {
    String name = hashSpec.toLowerCase(Locale.ROOT);
    Optional<LuksHash> builtIn = LuksHash.builtIn(name);
    if (builtIn.isPresent()) {
      return builtIn;
    }
    for (LuksAlgorithmProvider p : Providers.ALL) {
      var h = p.hash(name);
      if (h != null && h.isPresent()) {
        return Optional.of(LuksHash.provided(name, h.get()));
      }
    }
    return Optional.empty();
  }

  /** Why {@code hashSpec} cannot be used, for a message after {@code what: }. */
  static String missingHash(String role, String hashSpec) {
    String name = hashSpec.toLowerCase(Locale.ROOT);
    if (EXTRA_HASHES.contains(name)) {
      return role + " '" + hashSpec + "' needs the " + EXTRA_MODULE + " module on the class path"
          + loadFailure();
    }
    return role + " '" + hashSpec + "' is not supported (md5, sha1, sha224, sha256, sha384, "
        + "sha512; ripemd160 with the " + EXTRA_MODULE + " module)";
  }

  private static String loadFailure() {
    return Providers.ALL.isEmpty() && !Providers.FAILURES.isEmpty()
        ? " (a provider there failed to load: " + Providers.FAILURES.get(0) + ")" : "";
  }
}
