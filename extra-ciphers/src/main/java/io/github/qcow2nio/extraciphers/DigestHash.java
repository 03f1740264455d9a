package io.github.qcow2nio.extraciphers;

import io.github.qcow2nio.format.crypto.spi.HashAlgorithm;
import io.github.qcow2nio.format.crypto.spi.HashFunction;
import java.util.function.Supplier;
import org.bouncycastle.crypto.ExtendedDigest;

/** A Bouncy Castle digest as a LUKS hash. */
final class DigestHash implements HashAlgorithm {
  private final Supplier<ExtendedDigest> digests;
  private final int length;
  private final int block;

  DigestHash(Supplier<ExtendedDigest> digests) {
    this.digests = digests;
    ExtendedDigest d = digests.get();
    this.length = d.getDigestSize();
    this.block = d.getByteLength();
  }

  @Override
  public int digestLength() {
    return length;
  }

  @Override
  public int blockLength() {
    return block;
  }

  @Override
  public HashFunction newInstance() {
    ExtendedDigest d = digests.get();
    return new HashFunction() {
      @Override
      public void update(byte[] b, int off, int len) {
        d.update(b, off, len);
      }

      @Override
      public void doFinal(byte[] out, int off) {
        // Bouncy Castle digests reset themselves after doFinal.
        d.doFinal(out, off);
      }
    };
  }
}
