package io.github.qcow2nio.format.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ExportedSurfaceTest {

  /** The architecture rules check the packages module-info really exports, no more, no fewer. */
  @Test
  void theRulesKnowWhatModuleInfoExports() throws Exception {
    assertEquals(new TreeSet<>(Set.of(ExportedSurface.PACKAGES)), ExportedSurface.moduleExports());
  }
}
