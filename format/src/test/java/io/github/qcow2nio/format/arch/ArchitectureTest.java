package io.github.qcow2nio.format.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The core's layering, as each package's package-info says it: bottom to top error, struct, io
 * and codec, block, meta, disk, then the entry points; nothing below the top reaches up, the core
 * has no file-system code, and what module-info exports names no internal type.
 */
@AnalyzeClasses(packages = "io.github.qcow2nio.format", importOptions =
    ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String CORE = "io.github.qcow2nio.format";

  private static String[] allowed(String... packages) {
    String[] out = new String[packages.length + 1];
    out[0] = "java..";
    for (int i = 0; i < packages.length; i++) {
      out[i + 1] = CORE + "." + packages[i] + "..";
    }
    return out;
  }

  @ArchTest
  static final ArchRule errorsImportNothingOfTheCore = classes().that()
      .resideInAPackage(CORE + ".error..").should().onlyDependOnClassesThat()
      .resideInAnyPackage(allowed("error"));

  @ArchTest
  static final ArchRule structuresArePure = classes().that()
      .resideInAPackage(CORE + ".struct..").should().onlyDependOnClassesThat()
      .resideInAnyPackage(allowed("struct", "error"));

  @ArchTest
  static final ArchRule hostIoKnowsOnlyErrorsAndStructSources = classes().that()
      .resideInAPackage(CORE + ".io..").should().onlyDependOnClassesThat()
      .resideInAnyPackage(allowed("io", "error", "struct"));

  @ArchTest
  static final ArchRule codecsKnowNoImages = classes().that()
      .resideInAPackage(CORE + ".codec..").should().onlyDependOnClassesThat()
      .resideInAnyPackage(allowed("codec", "error"))
      .orShould().dependOnClassesThat().resideInAPackage("com.github.luben.zstd..");

  @ArchTest
  static final ArchRule metadataSitsOnStructuresAndHostIo = classes().that()
      .resideInAPackage(CORE + ".meta..").should().onlyDependOnClassesThat()
      .resideInAnyPackage(allowed("meta", "struct", "io", "error"));

  @ArchTest
  static final ArchRule theGuestViewKnowsOnlyClusterTypesAndErrors = classes().that()
      .resideInAPackage(CORE + ".block..").should().onlyDependOnClassesThat()
      .resideInAnyPackage(allowed("block", "struct", "error"));

  @ArchTest
  static final ArchRule theDiskNeverReachesTheEntryPoints = classes().that()
      .resideInAPackage(CORE + ".disk..").should().onlyDependOnClassesThat()
      .resideInAnyPackage(allowed("disk", "block", "meta", "struct", "codec", "crypto", "io",
          "error"));

  /** Encryption sits on the JDK's primitives and reads structures; it knows no disk or image. */
  @ArchTest
  static final ArchRule cryptoKnowsOnlyTheJdkStructuresAndErrors = classes().that()
      .resideInAPackage(CORE + ".crypto..").should().onlyDependOnClassesThat()
      .resideInAnyPackage(java.util.stream.Stream.concat(
          java.util.Arrays.stream(allowed("crypto", "struct", "io", "error")),
          java.util.stream.Stream.of("javax.crypto..")).toArray(String[]::new));

  /** The core uses paths (to open files) but implements no file system: that is the provider. */
  @ArchTest
  static final ArchRule theCoreHasNoFileSystemCode = noClasses().should()
      .beAssignableTo(java.nio.file.FileSystem.class)
      .orShould().beAssignableTo(java.nio.file.spi.FileSystemProvider.class)
      .orShould().beAssignableTo(java.nio.file.Path.class)
      .orShould().beAssignableTo(java.nio.file.FileStore.class);

  /**
   * What module-info exports may name only exported types in its public signatures, so that a
   * user on the module path can call every public method it shows and the internal packages stay
   * free to change.
   */
  @ArchTest
  static final ArchRule theExportedSurfaceNamesNoInternalType = codeUnits().that().arePublic()
      .and().areDeclaredInClassesThat().arePublic()
      .and().areDeclaredInClassesThat().resideInAnyPackage(ExportedSurface.PACKAGES)
      .should(ExportedSurface.nameOnlyExportedTypes());

  @ArchTest
  static final ArchRule exportedTypesExtendNoInternalType = classes().that().arePublic()
      .and().resideInAnyPackage(ExportedSurface.PACKAGES)
      .should(ExportedSurface.extendOnlyExportedTypes());

  @ArchTest
  static final ArchRule onlyTheCodecTouchesZstd = noClasses().that()
      .resideOutsideOfPackage(CORE + ".codec..").should().dependOnClassesThat()
      .resideInAPackage("com.github.luben.zstd..");
}
