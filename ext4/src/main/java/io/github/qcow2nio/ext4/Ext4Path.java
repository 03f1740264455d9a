package io.github.qcow2nio.ext4;

import io.github.qcow2nio.nio.NestedPath;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.util.Arrays;
import java.util.List;

/**
 * A path in an ext4 file system: Unix syntax, "/" the root. "." and ".." stay until {@link
 * #normalize} (or resolution against the disk, where ".." follows the directories actually
 * entered, which is why {@link #toRealPath} asks the file system rather than the names).
 */
public final class Ext4Path extends NestedPath<Ext4Path, Ext4FileSystem> {
  Ext4Path(Ext4FileSystem fs, boolean absolute, String[] names) {
    super(fs, absolute, names);
  }

  List<String> nameList() {
    return Arrays.asList(nameArray());
  }

  @Override
  protected ProviderMismatchException mismatch(Path other) {
    return new ProviderMismatchException("not a path of this ext4 file system: " + other);
  }
}
