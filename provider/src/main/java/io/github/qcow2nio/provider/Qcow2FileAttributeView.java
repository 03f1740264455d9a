package io.github.qcow2nio.provider;

import java.io.IOException;
import java.nio.file.attribute.BasicFileAttributeView;

/**
 * The {@code qcow2} attribute view: {@code Files.readAttributes(path, "qcow2:*")} or
 * {@code Files.getFileAttributeView(path, Qcow2FileAttributeView.class)}.
 */
public interface Qcow2FileAttributeView extends BasicFileAttributeView {
  String NAME = "qcow2";

  @Override
  Qcow2FileAttributes readAttributes() throws IOException;
}
