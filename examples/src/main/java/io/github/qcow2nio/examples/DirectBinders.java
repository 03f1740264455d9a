package io.github.qcow2nio.examples;

/**
 * Each direct-path command's options (see {@link DirectCommands}): every name its picocli
 * annotations declare but help, set on the same fields picocli sets, the mixins created as
 * picocli creates them. Switches on the names rather than tables of setters: no lambda to
 * bootstrap at start-up. DirectLineAgainstPicocliTest holds these to the annotations.
 */
final class DirectBinders {
  private DirectBinders() {}

  /**
   * The options all four commands take, through the same mixins: --object, --image-opts,
   * -U/--force-share and the reference policy.
   */
  static final class Shared {
    final ObjectOption objects = new ObjectOption();
    final ImageOptsOption imageOpts = new ImageOptsOption();
    final ForceShareOption share = new ForceShareOption();
    final ReferencePolicyOption references = new ReferencePolicyOption();

    /** The number of values a shared option takes, or -1 for a name that is not one. */
    static int arity(String name) {
      return switch (name) {
        case "--image-opts", "-U", "--force-share" -> 0;
        case "--object", "--backing-policy", "--confine-to" -> 1;
        default -> -1;
      };
    }

    void option(String name, String value) {
      switch (name) {
        case "--image-opts" -> imageOpts.imageOpts = true;
        case "-U", "--force-share" -> share.forceShare = true;
        case "--object" -> objects.objects.add(value);
        case "--backing-policy" -> references.policy = value;
        case "--confine-to" -> references.confineTo = value;
        default -> throw new IllegalArgumentException(name);
      }
    }
  }

  /** {@code info}: the shared options, -f, --output and --backing-chain. */
  static final class Info implements DirectLine.Binder {
    final InfoCommand command;
    final Shared shared = new Shared();

    Info(InfoCommand command) {
      this.command = command;
      command.help = new HelpOption();
      command.objects = shared.objects;
      command.imageOpts = shared.imageOpts;
      command.format = new FormatOption();
      command.output = new OutputOption();
      command.share = shared.share;
      command.references = shared.references;
    }

    @Override
    public int arity(String name) {
      return switch (name) {
        case "--backing-chain" -> 0;
        case "-f", "--output" -> 1;
        default -> Shared.arity(name);
      };
    }

    @Override
    public void option(String name, String value) {
      switch (name) {
        case "--backing-chain" -> command.backingChain = true;
        case "-f" -> command.format.format = value;
        case "--output" -> command.output.output = value;
        default -> shared.option(name, value);
      }
    }

    @Override
    public void operand(String value) {
      command.operands.add(value);
    }
  }

  /** {@code map}: the shared options, -f, --output, --start-offset and --max-length. */
  static final class Map implements DirectLine.Binder {
    final MapCommand command;
    final Shared shared = new Shared();

    Map(MapCommand command) {
      this.command = command;
      command.help = new HelpOption();
      command.objects = shared.objects;
      command.imageOpts = shared.imageOpts;
      command.format = new FormatOption();
      command.output = new OutputOption();
      command.share = shared.share;
      command.references = shared.references;
    }

    @Override
    public int arity(String name) {
      return switch (name) {
        case "-f", "--output", "--start-offset", "--max-length" -> 1;
        default -> Shared.arity(name);
      };
    }

    @Override
    public void option(String name, String value) {
      switch (name) {
        case "-f" -> command.format.format = value;
        case "--output" -> command.output.output = value;
        case "--start-offset" -> command.startOffset = value;
        case "--max-length" -> command.maxLength = value;
        default -> shared.option(name, value);
      }
    }

    @Override
    public void operand(String value) {
      command.operands.add(value);
    }
  }

  /** {@code check}: the shared options, -f, --output, -q, -r and -T. */
  static final class Check implements DirectLine.Binder {
    final CheckCommand command;
    final Shared shared = new Shared();

    Check(CheckCommand command) {
      this.command = command;
      command.help = new HelpOption();
      command.objects = shared.objects;
      command.imageOpts = shared.imageOpts;
      command.quiet = new QuietOption();
      command.format = new FormatOption();
      command.output = new OutputOption();
      command.cache = new CacheOptions.Source();
      command.share = shared.share;
      command.references = shared.references;
    }

    @Override
    public int arity(String name) {
      return switch (name) {
        case "-q" -> 0;
        case "-f", "--output", "-r", "-T" -> 1;
        default -> Shared.arity(name);
      };
    }

    @Override
    public void option(String name, String value) {
      switch (name) {
        case "-q" -> command.quiet.quiet = true;
        case "-f" -> command.format.format = value;
        case "--output" -> command.output.output = value;
        case "-r" -> command.repair = value;
        case "-T" -> command.cache.sourceCache = value;
        default -> shared.option(name, value);
      }
    }

    @Override
    public void operand(String value) {
      command.operands.add(value);
    }
  }

  /** {@code measure}: the shared options, --output, -O, -o, --size, -f and -l. */
  static final class Measure implements DirectLine.Binder {
    final MeasureCommand command;
    final Shared shared = new Shared();

    Measure(MeasureCommand command) {
      this.command = command;
      command.help = new HelpOption();
      command.output = new OutputOption();
      command.share = shared.share;
      command.references = shared.references;
      command.objects = shared.objects;
      command.imageOpts = shared.imageOpts;
    }

    @Override
    public int arity(String name) {
      return switch (name) {
        case "--output", "-O", "-o", "--size", "-f", "-l" -> 1;
        default -> Shared.arity(name);
      };
    }

    @Override
    public void option(String name, String value) {
      switch (name) {
        case "--output" -> command.output.output = value;
        case "-O" -> command.outFormat = value;
        case "-o" -> command.options.add(value);
        case "--size" -> command.size = value;
        case "-f" -> command.format = value;
        case "-l" -> command.snapshot = value;
        default -> shared.option(name, value);
      }
    }

    @Override
    public void operand(String value) {
      command.operands.add(value);
    }
  }
}
