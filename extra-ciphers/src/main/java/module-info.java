/**
 * The LUKS ciphers and hashes qemu-img offers beyond the JDK (twofish, serpent, cast5,
 * ripemd160), from Bouncy Castle's lightweight engines and digests, plugged into the qcow2 core
 * as a service. Opt-in: put it on the class path or module path and encrypted images using them
 * open and can be created.
 */
module io.github.qcow2nio.extraciphers {
  requires io.github.qcow2nio.format;
  requires org.bouncycastle.provider;

  provides io.github.qcow2nio.format.crypto.spi.LuksAlgorithmProvider
      with io.github.qcow2nio.extraciphers.BouncyCastleAlgorithms;
}
