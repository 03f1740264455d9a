package io.github.qcow2nio.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.spi.FileSystemProvider;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The provider is registered both ways, and only the API package is exported. */
class ModuleDescriptorTest {
  @Test
  void moduleInfoProvidesAndExportsOnlyTheApi() throws IOException {
    // Tests run on the class path: find the module by where the provider class was loaded from.
    Path classes;
    try {
      classes = Path.of(PartitionFileSystemProvider.class.getProtectionDomain().getCodeSource()
          .getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
    ModuleDescriptor d = ModuleFinder.of(classes).findAll().iterator().next().descriptor();
    assertEquals("io.github.qcow2nio.partition", d.name());
    assertEquals(Set.of("io.github.qcow2nio.partition"),
        d.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    assertTrue(d.packages().contains("io.github.qcow2nio.partition.table"));
    assertEquals(1, d.provides().size());
    ModuleDescriptor.Provides p = d.provides().iterator().next();
    assertEquals(FileSystemProvider.class.getName(), p.service());
    assertEquals(List.of(PartitionFileSystemProvider.class.getName()), p.providers());
    assertEquals(Set.of("java.base", "io.github.qcow2nio.nio"),
        d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()),
        "nothing of ours at compile time but the shared NIO plumbing");
  }

  @Test
  void serviceFileNamesTheProviderAndTheJdkFindsIt() throws IOException {
    List<String> registered = new ArrayList<>();
    for (URL url : Collections.list(PartitionFileSystemProvider.class.getClassLoader()
        .getResources("META-INF/services/java.nio.file.spi.FileSystemProvider"))) {
      try (InputStream in = url.openStream()) {
        registered.add(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
      }
    }
    assertTrue(registered.contains(PartitionFileSystemProvider.class.getName()),
        registered.toString());
    assertTrue(FileSystemProvider.installedProviders().stream()
        .anyMatch(p -> p.getScheme().equals("partition")
            && p.getClass() == PartitionFileSystemProvider.class));
    assertTrue(FileSystems.getDefault().provider() != null);
  }
}
