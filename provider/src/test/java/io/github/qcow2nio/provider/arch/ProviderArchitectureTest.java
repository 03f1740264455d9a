package io.github.qcow2nio.provider.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The provider stands on the core's public surface and knows no tool. */
@AnalyzeClasses(packages = "io.github.qcow2nio.provider", importOptions =
    ImportOption.DoNotIncludeTests.class)
class ProviderArchitectureTest {

  @ArchTest
  static final ArchRule knowsNoTool = noClasses().should().dependOnClassesThat()
      .resideInAPackage("io.github.qcow2nio.examples..");

  /** The module system already refuses the rest at compile time; this says it in one place. */
  @ArchTest
  static final ArchRule usesOnlyTheCoresExportedPackages = noClasses().should()
      .dependOnClassesThat().resideInAnyPackage("io.github.qcow2nio.format.meta..",
          "io.github.qcow2nio.format.codec..", "io.github.qcow2nio.format.disk..",
          "io.github.qcow2nio.format.ops..");
}
