/**
 * Bouncy Castle's Twofish, Serpent and CAST5 engines and its RIPEMD-160 digest behind the core's
 * {@code crypto.spi} interfaces. Only the raw primitives live here: the LUKS modes, HMAC, PBKDF2
 * and the anti-forensic splitter are the core's. May import {@code org.bouncycastle.crypto} and
 * the core's exported {@code crypto.spi}; nothing else of the core.
 */
package io.github.qcow2nio.extraciphers;
