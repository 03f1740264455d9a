package io.github.qcow2nio.examples;

import java.io.IOException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qcow2 info [--output=human|json] [--backing-chain] [-f FMT] [-U] [--image-opts]
 * [IMAGE]}: what {@code qemu-img info} prints. Without IMAGE it shows the sample image bundled
 * in the jar.
 */
@Command(name = "info", description = "what 'qemu-img info' prints; without filename, the "
    + "sample image bundled in the jar")
final class InfoCommand implements Callable<Integer> {
  @Mixin HelpOption help;
  @Mixin ObjectOption objects;
  @Mixin ImageOptsOption imageOpts;
  @Mixin FormatOption format;
  @Mixin OutputOption output;
  @Option(names = "--backing-chain", description = "the image and every image below it")
  boolean backingChain;
  @Mixin ForceShareOption share;
  @Mixin ReferencePolicyOption references;
  @Parameters(paramLabel = "[filename]", arity = "0..*",
      hideParamSyntax = true, description = "the image")
  List<String> operands = new ArrayList<>();

  private final ToolIo io;
  private final ImageInspector inspector;
  private final ZoneId zone;

  /**
   * Snapshot dates in the system's time zone, looked up only when the human form prints them:
   * the zone rules are a file to read and parse that --output=json never needs.
   */
  InfoCommand(ToolIo io, ImageInspector inspector) {
    this(io, inspector, null);
  }

  /** @param zone where the human form shows snapshot dates; null: the system's, when needed */
  InfoCommand(ToolIo io, ImageInspector inspector, ZoneId zone) {
    this.io = io;
    this.inspector = inspector;
    this.zone = zone;
  }

  @Override
  public Integer call() throws IOException, ToolError, CommandLine.UsageException {
    if (operands.size() > 1) {
      throw ToolError.usage("Expecting one image file name");
    }
    boolean json = output.json();
    List<ImageInfo> images;
    if (operands.isEmpty()) {
      io.err().println("qcow2: no image given; showing the sample image bundled in qcow2.jar ("
          + SampleImage.NAME + ")");
      images = new ArrayList<>();
      try (SampleImage sample = SampleImage.extract()) {
        for (ImageInfo i : inspect(new ImageOptsOption.Image(sample.path().toString(),
            format.format()))) {
          images.add(i.withFilename(SampleImage.NAME));
        }
      }
    } else {
      ImageOptsOption.Image image = imageOpts.image(operands.get(0), format);
      // Secrets are loaded and encrypt.format judged, but info needs no key.
      ImageKeys.check(image, objects);
      images = new ArrayList<>(inspect(image));
      images.set(0, images.get(0).withFilename(image.displayName()));
    }
    if (json) {
      List<Object> objects = new ArrayList<>();
      for (ImageInfo i : images) {
        objects.add(InfoJson.image(i));
      }
      io.out().println(Json.pretty(backingChain ? objects : objects.get(0)));
    } else {
      ZoneId dates = zone != null ? zone : ZoneId.systemDefault();
      io.out().print(new InfoText(dates).format(images));
    }
    return 0;
  }

  private List<ImageInfo> inspect(ImageOptsOption.Image image)
      throws IOException, CommandLine.UsageException {
    ImageInspector i = inspector.withForceShare(share.forceShare)
        .withReferencePolicy(references.policy());
    if (backingChain) {
      return i.chain(image.filename(), image.format());
    }
    return List.of(i.inspect(image.filename(), image.format()));
  }
}
