/**
 * {@code qcow2.jar}, the command-line tool in the manner of qemu-img, and its output formats
 * (qemu-img's human and JSON forms, written by hand to match them byte for byte). Uses the core,
 * the provider and the file-system modules; nothing depends on it.
 */
package io.github.qcow2nio.examples;
