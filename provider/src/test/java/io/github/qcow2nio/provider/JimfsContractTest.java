package io.github.qcow2nio.provider;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;

/** The contract with images in jimfs. */
class JimfsContractTest extends ContractSuite {
  private FileSystem jimfs;
  private int n;

  @Override
  Path dir() throws IOException {
    if (jimfs == null) {
      jimfs = Jimfs.newFileSystem(Configuration.unix());
    }
    return Files.createDirectories(jimfs.getPath("/work/d" + n++));
  }

  @AfterEach
  void closeJimfs() throws IOException {
    if (jimfs != null) {
      jimfs.close();
    }
  }
}
