package io.github.qcow2nio.examples;

import picocli.CommandLine.Option;

/**
 * {@code -U}, {@code --force-share}: as qemu-img, open the image read-only, sharing every
 * permission with the program that holds it (a running VM), instead of failing on its locks.
 */
final class ForceShareOption {
  @Option(names = {"-U", "--force-share"},
      description = "open the image even while another program (a VM, qemu-io) holds it, as "
          + "'qemu-img -U': without it, an image in use fails with QEMU's lock message")
  boolean forceShare;
}
