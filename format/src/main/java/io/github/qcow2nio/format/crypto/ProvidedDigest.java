package io.github.qcow2nio.format.crypto;

import io.github.qcow2nio.format.crypto.spi.HashAlgorithm;
import io.github.qcow2nio.format.crypto.spi.HashFunction;
import java.security.DigestException;
import java.security.MessageDigest;

/**
 * A provider module's hash as a {@link MessageDigest}, so that the splitter and ESSIV use it as
 * they use the JDK's. Not registered with any security provider; one instance per thread.
 */
final class ProvidedDigest extends MessageDigest {
  private final HashFunction f;
  private final int length;
  private final byte[] one = new byte[1];

  ProvidedDigest(String name, HashAlgorithm algorithm) {
    super(name);
    this.f = algorithm.newInstance();
    this.length = algorithm.digestLength();
  }

  @Override
  protected int engineGetDigestLength() {
    return length;
  }

  @Override
  protected void engineUpdate(byte input) {
    one[0] = input;
    f.update(one, 0, 1);
  }

  @Override
  protected void engineUpdate(byte[] input, int offset, int len) {
    f.update(input, offset, len);
  }

  @Override
  protected byte[] engineDigest() {
    byte[] out = new byte[length];
    f.doFinal(out, 0);
    return out;
  }

  @Override
  protected int engineDigest(byte[] buf, int offset, int len) throws DigestException {
    if (len < length) {
      throw new DigestException("digest of " + length + " bytes into " + len);
    }
    f.doFinal(buf, offset);
    return length;
  }

  @Override
  protected void engineReset() {
    // A HashFunction has no reset: finishing into scratch starts it over.
    f.doFinal(new byte[length], 0);
  }
}
