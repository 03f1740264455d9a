package io.github.qcow2nio.provider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The contract with images on the default file system. */
class DefaultFsContractTest extends ContractSuite {
  @TempDir Path tmp;
  private int n;

  @Override
  Path dir() throws IOException {
    return Files.createDirectories(tmp.resolve("d" + n++));
  }
}
