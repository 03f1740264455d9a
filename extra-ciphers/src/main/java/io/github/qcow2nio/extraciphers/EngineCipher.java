package io.github.qcow2nio.extraciphers;

import io.github.qcow2nio.format.crypto.spi.BlockCipher;
import io.github.qcow2nio.format.crypto.spi.BlockCipherAlgorithm;
import java.util.Set;
import java.util.function.Supplier;
import org.bouncycastle.crypto.params.KeyParameter;

/** A Bouncy Castle block engine as a cipher family of fixed block size and key lengths. */
final class EngineCipher implements BlockCipherAlgorithm {
  private final int blockSize;
  private final Set<Integer> keyLengths;
  private final Supplier<org.bouncycastle.crypto.BlockCipher> engines;

  EngineCipher(int blockSize, Set<Integer> keyLengths,
      Supplier<org.bouncycastle.crypto.BlockCipher> engines) {
    this.blockSize = blockSize;
    this.keyLengths = Set.copyOf(keyLengths);
    this.engines = engines;
  }

  @Override
  public int blockSize() {
    return blockSize;
  }

  @Override
  public boolean isKeyLength(int bytes) {
    return keyLengths.contains(bytes);
  }

  @Override
  public BlockCipher newInstance(byte[] key, int off, int len, boolean encrypt) {
    if (!isKeyLength(len)) {
      throw new IllegalArgumentException("key of " + len + " bytes");
    }
    org.bouncycastle.crypto.BlockCipher engine = engines.get();
    // KeyParameter copies the key; the engine expands it into its own schedule.
    KeyParameter k = new KeyParameter(key, off, len);
    engine.init(encrypt, k);
    java.util.Arrays.fill(k.getKey(), (byte) 0);
    if (engine.getBlockSize() != blockSize) {
      throw new IllegalStateException(engine.getAlgorithmName() + " has "
          + engine.getBlockSize() + "-byte blocks, not " + blockSize);
    }
    return new EngineBlocks(engine, blockSize);
  }

  /** One keyed engine over runs of blocks, in place (the engines read a block before writing). */
  private record EngineBlocks(org.bouncycastle.crypto.BlockCipher engine, int blockSize)
      implements BlockCipher {
    @Override
    public void processBlocks(byte[] buf, int off, int len) {
      if (len % blockSize != 0) {
        throw new IllegalArgumentException(len + " bytes are not whole " + blockSize
            + "-byte blocks");
      }
      for (int i = 0; i < len; i += blockSize) {
        engine.processBlock(buf, off + i, buf, off + i);
      }
    }
  }
}
