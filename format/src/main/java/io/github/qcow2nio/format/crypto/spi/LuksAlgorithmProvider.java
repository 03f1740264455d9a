package io.github.qcow2nio.format.crypto.spi;

import java.util.Optional;

/**
 * A source of LUKS block ciphers and hashes, found with {@link java.util.ServiceLoader}. Names
 * are the ones LUKS1 headers carry, in lower case: cipher-name ({@code twofish}) and hash-spec
 * ({@code ripemd160}). Implementations are stateless and safe for concurrent use.
 */
public interface LuksAlgorithmProvider {
  /** The block cipher a LUKS header calls {@code cipherName}, if this provider has it. */
  Optional<BlockCipherAlgorithm> blockCipher(String cipherName);

  /** The hash a LUKS header calls {@code hashSpec}, if this provider has it. */
  Optional<HashAlgorithm> hash(String hashSpec);
}
