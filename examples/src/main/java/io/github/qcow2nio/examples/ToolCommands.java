package io.github.qcow2nio.examples;

import java.time.ZoneId;

/**
 * One command object by its name, for the start-up path: {@link Tool#forLine} builds only the
 * command a line names, so picocli reflects over one command's annotations instead of every
 * command's, and nothing another command needs is loaded. A switch rather than a map of
 * constructors: no lambda to bootstrap, no class loaded but the one chosen.
 */
final class ToolCommands {
  private ToolCommands() {}

  /**
   * The command named {@code name}, built as {@link Tool#commandLine} builds it, or null for a
   * name this table does not know (help, a mistyped command, a command added to the tree only):
   * the caller then builds the whole tree, which says what it always said.
   */
  static Object create(String name, ToolIo io) {
    switch (name) {
      case "info":
        return new InfoCommand(io, new ImageInspector(HostAllocation.allocatedBlocks()));
      case "map":
        return new MapCommand(io);
      case "check":
        return new CheckCommand(io);
      case "convert":
        return new ConvertCommand(io);
      case "measure":
        return new MeasureCommand(io);
      case "compare":
        return new CompareCommand(io);
      case "dd":
        return new DdCommand(io);
      case "create":
        return new CreateCommand(io);
      case "resize":
        return new ResizeCommand(io);
      case "amend":
        return new AmendCommand(io);
      case "commit":
        return new CommitCommand(io);
      case "rebase":
        return new RebaseCommand(io);
      case "snapshot":
        return new SnapshotCommand(io, ZoneId.systemDefault());
      case "bitmap":
        return new BitmapCommand(io);
      case "inspect":
        return new InspectCommand(io);
      case "partitions":
        return new PartitionsCommand(io);
      case "ls":
        return new LsCommand(io, ZoneId.systemDefault());
      case "cat":
        return new CatCommand(io);
      case "get":
        return new GetCommand();
      case "put":
        return new PutCommand();
      case "mkfs":
        return new MkfsCommand(io);
      case "partition":
        return new PartitionCommand(io);
      default:
        return null;
    }
  }
}
