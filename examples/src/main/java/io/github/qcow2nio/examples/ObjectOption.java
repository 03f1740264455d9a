package io.github.qcow2nio.examples;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * {@code --object objectdef}, repeatable, as qemu-img takes it: {@code secret,id=ID,data=TEXT}
 * or {@code secret,id=ID,file=PATH}, with {@code format=raw|base64} and {@code keyid}/{@code iv}
 * (see {@link SecretDefinition}). The secrets are loaded once, when a command first asks, and
 * wiped when the command ends ({@link #wipeAll}).
 */
final class ObjectOption {
  @Option(names = "--object", paramLabel = "objectdef",
      description = "define a secret: secret,id=ID,data=TEXT or secret,id=ID,file=PATH"
          + "[,format=raw|base64]; an image given with --image-opts names it with "
          + "encrypt.key-secret=ID")
  List<String> objects = new ArrayList<>();

  private SecretObjects secrets;

  /** The secrets the command line defines (none without {@code --object}). */
  SecretObjects secrets() throws ToolError {
    if (secrets == null) {
      secrets = objects.isEmpty() ? SecretObjects.none() : SecretObjects.load(objects);
    }
    return secrets;
  }

  /** Wipes the secrets this option loaded, if any: the end of a command on the direct path. */
  void wipe() {
    if (secrets != null) {
      secrets.wipe();
    }
  }

  /** Wipes the secrets every {@code --object} of the parsed command line loaded. */
  static void wipeAll(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      wipe(p.commandSpec());
    }
  }

  private static void wipe(CommandSpec spec) {
    for (CommandSpec mixin : spec.mixins().values()) {
      if (mixin.userObject() instanceof ObjectOption o) {
        o.wipe();
      }
    }
  }
}
