package io.github.qcow2nio.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module exports only the public API and provides the provider; the JDK lists it. */
class ModuleTest {
  @Test
  void exportsOnlyTheApiAndProvidesTheProvider() throws Exception {
    Path classes = Path.of(FatFileSystemProvider.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI());
    ModuleDescriptor d = ModuleFinder.of(classes).find("io.github.qcow2nio.fat").orElseThrow()
        .descriptor();
    assertEquals(Set.of("io.github.qcow2nio.fat"), d.exports().stream()
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    assertTrue(d.provides().stream().anyMatch(p -> p.service().equals(
        FileSystemProvider.class.getName()) && p.providers().equals(
            List.of(FatFileSystemProvider.class.getName()))));
    assertTrue(FileSystemProvider.installedProviders().stream()
        .anyMatch(p -> p.getScheme().equals("fat")));
  }
}
