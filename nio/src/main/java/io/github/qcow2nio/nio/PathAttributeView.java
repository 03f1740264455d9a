package io.github.qcow2nio.nio;

import java.nio.file.Path;
import java.nio.file.attribute.FileAttributeView;

/**
 * An attribute view of one path, under the name it was asked for ("basic" or the view's own):
 * the attributes are read from the path each time they are asked for, so a view stays right
 * however long it is kept.
 *
 * @param <P> the provider's path type
 */
public abstract class PathAttributeView<P extends Path> implements FileAttributeView {
  private final P path;
  private final String name;

  protected PathAttributeView(P path, String name) {
    this.path = path;
    this.name = name;
  }

  @Override
  public final String name() {
    return name;
  }

  protected final P path() {
    return path;
  }
}
