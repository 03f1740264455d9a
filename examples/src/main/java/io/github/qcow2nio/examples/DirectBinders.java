package io.github.qcow2nio.examples;

/**
 * Each direct-path command's options (see {@link DirectCommands}): every name its picocli
 * annotations declare but help, set on the same fields picocli sets, the mixins created as
 * picocli creates them. Switches on the names rather than tables of setters: no lambda to
 * bootstrap at start-up. DirectLineAgainstPicocliTest holds these to the annotations.
 */
final class DirectBinders {
  private DirectBinders() {}

  /** {@code info}: --object, --image-opts, -f, --output, --backing-chain, -U, the policy. */
  static final class Info implements DirectLine.Binder {
    final InfoCommand command;

    Info(InfoCommand command) {
      this.command = command;
      command.help = new HelpOption();
      command.objects = new ObjectOption();
      command.imageOpts = new ImageOptsOption();
      command.format = new FormatOption();
      command.output = new OutputOption();
      command.share = new ForceShareOption();
      command.references = new ReferencePolicyOption();
    }

    @Override
    public int arity(String name) {
      switch (name) {
        case "--image-opts":
        case "--backing-chain":
        case "-U":
        case "--force-share":
          return 0;
        case "--object":
        case "-f":
        case "--output":
        case "--backing-policy":
        case "--confine-to":
          return 1;
        default:
          return -1;
      }
    }

    @Override
    public void option(String name, String value) {
      switch (name) {
        case "--image-opts" -> command.imageOpts.imageOpts = true;
        case "--backing-chain" -> command.backingChain = true;
        case "-U", "--force-share" -> command.share.forceShare = true;
        case "--object" -> command.objects.objects.add(value);
        case "-f" -> command.format.format = value;
        case "--output" -> command.output.output = value;
        case "--backing-policy" -> command.references.policy = value;
        case "--confine-to" -> command.references.confineTo = value;
        default -> throw new IllegalArgumentException(name);
      }
    }

    @Override
    public void operand(String value) {
      command.operands.add(value);
    }
  }

  /** {@code map}: as info, with --start-offset and --max-length, without --backing-chain. */
  static final class Map implements DirectLine.Binder {
    final MapCommand command;

    Map(MapCommand command) {
      this.command = command;
      command.help = new HelpOption();
      command.objects = new ObjectOption();
      command.imageOpts = new ImageOptsOption();
      command.format = new FormatOption();
      command.output = new OutputOption();
      command.share = new ForceShareOption();
      command.references = new ReferencePolicyOption();
    }

    @Override
    public int arity(String name) {
      switch (name) {
        case "--image-opts":
        case "-U":
        case "--force-share":
          return 0;
        case "--object":
        case "-f":
        case "--start-offset":
        case "--max-length":
        case "--output":
        case "--backing-policy":
        case "--confine-to":
          return 1;
        default:
          return -1;
      }
    }

    @Override
    public void option(String name, String value) {
      switch (name) {
        case "--image-opts" -> command.imageOpts.imageOpts = true;
        case "-U", "--force-share" -> command.share.forceShare = true;
        case "--object" -> command.objects.objects.add(value);
        case "-f" -> command.format.format = value;
        case "--start-offset" -> command.startOffset = value;
        case "--max-length" -> command.maxLength = value;
        case "--output" -> command.output.output = value;
        case "--backing-policy" -> command.references.policy = value;
        case "--confine-to" -> command.references.confineTo = value;
        default -> throw new IllegalArgumentException(name);
      }
    }

    @Override
    public void operand(String value) {
      command.operands.add(value);
    }
  }

  /** {@code check}: as info, with -q, -r and -T, without --backing-chain. */
  static final class Check implements DirectLine.Binder {
    final CheckCommand command;

    Check(CheckCommand command) {
      this.command = command;
      command.help = new HelpOption();
      command.objects = new ObjectOption();
      command.imageOpts = new ImageOptsOption();
      command.quiet = new QuietOption();
      command.format = new FormatOption();
      command.output = new OutputOption();
      command.cache = new CacheOptions.Source();
      command.share = new ForceShareOption();
      command.references = new ReferencePolicyOption();
    }

    @Override
    public int arity(String name) {
      switch (name) {
        case "--image-opts":
        case "-q":
        case "-U":
        case "--force-share":
          return 0;
        case "--object":
        case "-f":
        case "--output":
        case "-r":
        case "-T":
        case "--backing-policy":
        case "--confine-to":
          return 1;
        default:
          return -1;
      }
    }

    @Override
    public void option(String name, String value) {
      switch (name) {
        case "--image-opts" -> command.imageOpts.imageOpts = true;
        case "-q" -> command.quiet.quiet = true;
        case "-U", "--force-share" -> command.share.forceShare = true;
        case "--object" -> command.objects.objects.add(value);
        case "-f" -> command.format.format = value;
        case "--output" -> command.output.output = value;
        case "-r" -> command.repair = value;
        case "-T" -> command.cache.sourceCache = value;
        case "--backing-policy" -> command.references.policy = value;
        case "--confine-to" -> command.references.confineTo = value;
        default -> throw new IllegalArgumentException(name);
      }
    }

    @Override
    public void operand(String value) {
      command.operands.add(value);
    }
  }

  /** {@code measure}: --output, -O, -o, --size, -f, -l, -U, the policy, --object, --image-opts. */
  static final class Measure implements DirectLine.Binder {
    final MeasureCommand command;

    Measure(MeasureCommand command) {
      this.command = command;
      command.help = new HelpOption();
      command.output = new OutputOption();
      command.share = new ForceShareOption();
      command.references = new ReferencePolicyOption();
      command.objects = new ObjectOption();
      command.imageOpts = new ImageOptsOption();
    }

    @Override
    public int arity(String name) {
      switch (name) {
        case "--image-opts":
        case "-U":
        case "--force-share":
          return 0;
        case "--output":
        case "-O":
        case "-o":
        case "--size":
        case "-f":
        case "-l":
        case "--backing-policy":
        case "--confine-to":
        case "--object":
          return 1;
        default:
          return -1;
      }
    }

    @Override
    public void option(String name, String value) {
      switch (name) {
        case "--image-opts" -> command.imageOpts.imageOpts = true;
        case "-U", "--force-share" -> command.share.forceShare = true;
        case "--output" -> command.output.output = value;
        case "-O" -> command.outFormat = value;
        case "-o" -> command.options.add(value);
        case "--size" -> command.size = value;
        case "-f" -> command.format = value;
        case "-l" -> command.snapshot = value;
        case "--backing-policy" -> command.references.policy = value;
        case "--confine-to" -> command.references.confineTo = value;
        case "--object" -> command.objects.objects.add(value);
        default -> throw new IllegalArgumentException(name);
      }
    }

    @Override
    public void operand(String value) {
      command.operands.add(value);
    }
  }
}
