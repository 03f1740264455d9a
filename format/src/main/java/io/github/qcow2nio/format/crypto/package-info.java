/**
 * Encrypted guest data (internal, not exported): the LUKS1 header inside a qcow2 image and its
 * key slots ({@code LuksHeader}, {@code LuksKeySlot}, {@code LuksUnlock}), the key derivation and
 * anti-forensic merge they need ({@code Pbkdf2} over {@code Hmac}, {@code AfSplitter}), the
 * sector ciphers the payload uses (XTS written here per IEEE 1619, CBC, ECB and CTR, and the
 * plain, plain64 and ESSIV IV generators, all over a block function, {@code Ecb}), the legacy AES
 * method (crypt_method 1), the making of new LUKS areas as qemu-img makes them
 * ({@code LuksParameters}, {@code LuksFormatter}, and {@code Pbkdf2Timing} for its iteration
 * counts), the adding and removing of key slots as qemu-img amend does it ({@code LuksKeySlots},
 * with the crash-ordered writes of {@code LuksSlotWriter}), and the passphrase handling that
 * keeps secrets out of messages and wipes every array derived from them.
 *
 * <p>AES and the hashes are the JDK's ({@code javax.crypto} AES/ECB, {@code Mac},
 * {@code MessageDigest}, and {@code java.lang.management} for thread CPU time). Other ciphers and
 * hashes qemu-img offers come from optional modules through the exported {@code crypto.spi}
 * package ({@code Algorithms} finds them with ServiceLoader; {@code LuksCipher} and
 * {@code LuksHash} wrap them). May import {@code error}, {@code io}, {@code struct} and
 * {@code crypto.spi}; never {@code disk}, {@code meta}, {@code ops} or the top package (those
 * call in here, not the other way round).
 */
package io.github.qcow2nio.format.crypto;
