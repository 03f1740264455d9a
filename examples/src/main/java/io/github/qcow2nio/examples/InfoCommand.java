package io.github.qcow2nio.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code qcow2 info [--output=human|json] [--backing-chain] [-f FMT] [IMAGE]}: what
 * {@code qemu-img info} prints. Without IMAGE it shows the sample image bundled in the jar.
 */
public final class InfoCommand implements Command {
  private final ImageInspector inspector;
  private final ZoneId zone;

  public InfoCommand(ImageInspector inspector, ZoneId zone) {
    this.inspector = inspector;
    this.zone = zone;
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err)
      throws IOException, CommandLine.UsageException {
    CommandLine cl = CommandLine.parse(args, Set.of("--backing-chain"));
    if (cl.operands().size() > 1) {
      throw new CommandLine.UsageException("info takes one image, not " + cl.operands().size());
    }
    List<ImageInfo> images;
    if (cl.operands().isEmpty()) {
      err.println("qcow2: no image given; showing the sample image bundled in qcow2.jar ("
          + SampleImage.NAME + ")");
      images = new ArrayList<>();
      try (SampleImage sample = SampleImage.extract()) {
        for (ImageInfo i : inspect(cl, sample.path().toString())) {
          images.add(i.withFilename(SampleImage.NAME));
        }
      }
    } else {
      images = inspect(cl, cl.operands().get(0));
    }
    if (cl.json()) {
      List<Object> objects = new ArrayList<>();
      for (ImageInfo i : images) {
        objects.add(InfoJson.image(i));
      }
      out.println(Json.pretty(cl.has("--backing-chain") ? objects : objects.get(0)));
    } else {
      out.print(new InfoText(zone).format(images));
    }
    return 0;
  }

  private List<ImageInfo> inspect(CommandLine cl, String filename) throws IOException {
    ImageInspector i = inspector.withForceShare(cl.forceShare());
    if (cl.has("--backing-chain")) {
      return i.chain(filename, cl.format());
    }
    return List.of(i.inspect(filename, cl.format()));
  }
}
