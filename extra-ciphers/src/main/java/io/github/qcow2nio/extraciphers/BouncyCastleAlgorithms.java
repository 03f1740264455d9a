package io.github.qcow2nio.extraciphers;

import io.github.qcow2nio.format.crypto.spi.BlockCipherAlgorithm;
import io.github.qcow2nio.format.crypto.spi.HashAlgorithm;
import io.github.qcow2nio.format.crypto.spi.LuksAlgorithmProvider;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.crypto.digests.RIPEMD160Digest;
import org.bouncycastle.crypto.engines.CAST5Engine;
import org.bouncycastle.crypto.engines.SerpentEngine;
import org.bouncycastle.crypto.engines.TwofishEngine;

/**
 * The service the core finds: LUKS cipher-names {@code twofish}, {@code serpent} (128-, 192- and
 * 256-bit keys) and {@code cast5} (128-bit keys, 8-byte blocks), and hash-spec
 * {@code ripemd160}, the key lengths being those qemu-img 7.2 offers. Serpent is Bouncy Castle's
 * {@code SerpentEngine}, the byte order of the NESSIE test vectors, which is what QEMU and
 * cryptsetup use (its {@code TnepresEngine} is the other order).
 */
public final class BouncyCastleAlgorithms implements LuksAlgorithmProvider {
  private static final Set<Integer> AES_LIKE_KEYS = Set.of(16, 24, 32);

  static final BlockCipherAlgorithm TWOFISH =
      new EngineCipher(16, AES_LIKE_KEYS, TwofishEngine::new);
  static final BlockCipherAlgorithm SERPENT =
      new EngineCipher(16, AES_LIKE_KEYS, SerpentEngine::new);
  static final BlockCipherAlgorithm CAST5 = new EngineCipher(8, Set.of(16), CAST5Engine::new);
  static final HashAlgorithm RIPEMD160 = new DigestHash(RIPEMD160Digest::new);

  /** For ServiceLoader. */
  public BouncyCastleAlgorithms() {}

  @Override
  public Optional<BlockCipherAlgorithm> blockCipher(String cipherName) {
    return Optional.ofNullable(switch (cipherName) {
      case "twofish" -> TWOFISH;
      case "serpent" -> SERPENT;
      case "cast5" -> CAST5;
      default -> null;
    });
  }

  @Override
  public Optional<HashAlgorithm> hash(String hashSpec) {
    return hashSpec.equals("ripemd160") ? Optional.of(RIPEMD160) : Optional.empty();
  }
}
