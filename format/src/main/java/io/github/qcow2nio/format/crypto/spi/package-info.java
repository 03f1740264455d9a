/**
 * The service-provider interface through which optional modules add LUKS ciphers and hashes the
 * JDK lacks (qemu-img offers twofish, serpent, cast5 and ripemd160 besides AES and the SHA
 * family). A module implements {@link io.github.qcow2nio.format.crypto.spi.LuksAlgorithmProvider}
 * and registers it ({@code provides} in its module-info and {@code META-INF/services}); the core
 * finds it with {@link java.util.ServiceLoader} on the class path or the module path and builds
 * every LUKS mode (XTS, CBC, ECB, CTR, the IV generators, PBKDF2, the anti-forensic splitter) on
 * the raw primitives it returns. AES and the JDK's hashes are built in and never come from here.
 *
 * <p>Imports nothing but {@code java.base}: providers depend on this package alone.
 */
package io.github.qcow2nio.format.crypto.spi;
