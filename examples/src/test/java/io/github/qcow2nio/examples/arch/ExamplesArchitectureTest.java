package io.github.qcow2nio.examples.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The tool and the demos use the core as any user must: through the packages its module-info
 * exports. They run on the class path, where the module system would not stop them.
 */
@AnalyzeClasses(packages = "io.github.qcow2nio.examples", importOptions =
    ImportOption.DoNotIncludeTests.class)
class ExamplesArchitectureTest {

  @ArchTest
  static final ArchRule usesOnlyTheCoresExportedPackages = noClasses().should()
      .dependOnClassesThat().resideInAnyPackage("io.github.qcow2nio.format.meta..",
          "io.github.qcow2nio.format.codec..", "io.github.qcow2nio.format.disk..",
          "io.github.qcow2nio.format.ops..");
}
