package io.github.qcow2nio.format.arch;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.github.qcow2nio.format.Qcow2Image;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The packages module-info exports, and the conditions that keep their signatures clean. */
final class ExportedSurface {
  private static final String CORE = "io.github.qcow2nio.format";

  /** Kept equal to module-info's exports by {@link ExportedSurfaceTest}. */
  static final String[] PACKAGES = {
      CORE, CORE + ".block", CORE + ".error", CORE + ".io", CORE + ".struct",
      CORE + ".crypto.spi"};

  private ExportedSurface() {}

  /**
   * What the core's compiled module-info exports, read from the class file next to the core's
   * classes: the tests may run on the class path, where the module has no descriptor at run time.
   */
  static Set<String> moduleExports() throws IOException, URISyntaxException {
    Path classes = Path.of(Qcow2Image.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    ModuleDescriptor d;
    if (Files.isDirectory(classes)) {
      try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
        d = ModuleDescriptor.read(in);
      }
    } else {
      try (FileSystem jar = FileSystems.newFileSystem(classes);
          InputStream in = Files.newInputStream(jar.getPath("module-info.class"))) {
        d = ModuleDescriptor.read(in);
      }
    }
    return d.exports().stream().map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static boolean isInternal(JavaClass type) {
    JavaClass base = type;
    while (base.isArray()) {
      base = base.getComponentType();
    }
    String pkg = base.getPackageName();
    return pkg.startsWith(CORE) && !Set.of(PACKAGES).contains(pkg);
  }

  static ArchCondition<JavaCodeUnit> nameOnlyExportedTypes() {
    return new ArchCondition<>("name only exported types") {
      @Override
      public void check(JavaCodeUnit unit, ConditionEvents events) {
        List<JavaClass> named = new ArrayList<>(unit.getRawParameterTypes());
        named.add(unit.getRawReturnType());
        unit.getThrowsClause().getTypes().forEach(named::add);
        for (JavaClass t : named) {
          if (isInternal(t)) {
            events.add(SimpleConditionEvent.violated(unit,
                unit.getFullName() + " names the internal type " + t.getName()));
          }
        }
      }
    };
  }

  static ArchCondition<JavaClass> extendOnlyExportedTypes() {
    return new ArchCondition<>("extend and implement only exported types") {
      @Override
      public void check(JavaClass type, ConditionEvents events) {
        List<JavaClass> supers = new ArrayList<>();
        type.getRawSuperclass().ifPresent(supers::add);
        supers.addAll(type.getRawInterfaces());
        for (JavaClass t : supers) {
          if (isInternal(t)) {
            events.add(SimpleConditionEvent.violated(type,
                type.getName() + " extends the internal type " + t.getName()));
          }
        }
      }
    };
  }
}
