package io.github.qcow2nio.format.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.ImageOperations;
import io.github.qcow2nio.format.InspectionPolicy;
import io.github.qcow2nio.format.InspectionReport;
import io.github.qcow2nio.format.InspectionResult;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.CorruptImageException;
import io.github.qcow2nio.format.error.NotQcow2Exception;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.io.ForwardingHostFile;
import io.github.qcow2nio.format.testing.HeaderPatch;
import io.github.qcow2nio.format.testing.WrappingLocation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inspection reads what an image asks for without following it, and judges it under a policy:
 * each field an upload could abuse is shown to be reported and, under {@code untrusted}, refused.
 */
class InspectTest {
  @TempDir Path dir;

  @Test
  void aPlainImagePassesEveryPolicy() throws IOException {
    Path image = image("plain.qcow2", CreateOptions.builder(1 << 20).build());
    InspectionReport r = ImageOperations.inspect(image, InspectionPolicy.untrusted()).report();
    assertEquals(new InspectionReport(image.toString(), "qcow2", List.of("qcow2"), 3, 1 << 20,
        65536, Optional.empty(), Optional.empty(), Optional.empty(), false, Optional.empty(),
        false, false, 0, 0, 0, List.of(), 0, 0), r);
    for (InspectionPolicy p : List.of(InspectionPolicy.trusted(),
        InspectionPolicy.noExternalReferences(), InspectionPolicy.untrusted(),
        InspectionPolicy.confinedTo(dir))) {
      assertTrue(ImageOperations.inspect(image, p).passes(), p.name());
    }
  }

  @Test
  void aBackingFileOutsideIsReportedAndRefused() throws IOException {
    Path image = image("up.qcow2", CreateOptions.builder(1 << 20).build());
    HeaderPatch.nameBacking(image, "/etc/passwd", "raw");
    InspectionResult trusted = ImageOperations.inspect(image, InspectionPolicy.trusted());
    assertTrue(trusted.passes());
    assertEquals(Optional.of("/etc/passwd"), trusted.report().backingFile());
    assertEquals(Optional.of("raw"), trusted.report().backingFormat());

    assertEquals(List.of("backing file '/etc/passwd' refused by backingPolicy=none: no named "
        + "file is opened"),
        ImageOperations.inspect(image, InspectionPolicy.untrusted()).violations());
    assertEquals(List.of("backing file '/etc/passwd' refused by backingPolicy=confined "
        + "(confineTo=" + dir + "): absolute names are not followed"),
        ImageOperations.inspect(image, InspectionPolicy.confinedTo(dir)).violations());
  }

  @Test
  void confinedAcceptsNamedFormatsInsideAndRefusesUnnamedOnes() throws IOException {
    Files.write(dir.resolve("base.raw"), new byte[512]);
    Path named = image("named.qcow2", CreateOptions.builder(1 << 20).build());
    HeaderPatch.nameBacking(named, "base.raw", "raw");
    assertTrue(ImageOperations.inspect(named, InspectionPolicy.confinedTo(dir)).passes());
    Path unnamed = image("unnamed.qcow2", CreateOptions.builder(1 << 20).build());
    HeaderPatch.nameBacking(unnamed, "base.raw", null);
    List<String> v = ImageOperations.inspect(unnamed, InspectionPolicy.confinedTo(dir))
        .violations();
    assertEquals(1, v.size());
    assertTrue(v.get(0).contains("has no format named in the image"), v.get(0));
    assertTrue(ImageOperations.inspect(unnamed, InspectionPolicy.trusted()).passes());
  }

  @Test
  void aDataFileIsAReference() throws IOException {
    Path image = image("data.qcow2", CreateOptions.builder(1 << 20).dataFile("data.raw")
        .dataFileRaw(true).build());
    InspectionResult r = ImageOperations.inspect(image, InspectionPolicy.noExternalReferences());
    assertEquals(Optional.of("data.raw"), r.report().dataFile());
    assertTrue(r.report().dataFileRaw());
    assertEquals(List.of("data file 'data.raw' refused by backingPolicy=none: no named file is "
        + "opened"), r.violations());
    assertTrue(ImageOperations.inspect(image, InspectionPolicy.confinedTo(dir)).passes());
  }

  @Test
  void unknownFeaturesEncryptionAndCorruptionAreReported() throws IOException {
    Path image = image("bits.qcow2", CreateOptions.builder(1 << 20).build());
    patchLong(image, 72, (1L << 40) | 2);          // an unknown incompatible bit, and corrupt
    patchLong(image, 80, 1L << 7);                 // an unknown compatible bit
    patchLong(image, 88, 1L << 9);                 // an unknown autoclear bit
    patchInt(image, 32, 2);                        // LUKS
    InspectionResult r = ImageOperations.inspect(image, InspectionPolicy.untrusted());
    InspectionReport report = r.report();
    assertEquals(1L << 40, report.unknownIncompatibleFeatures());
    assertEquals(1L << 7, report.unknownCompatibleFeatures());
    assertEquals(1L << 9, report.unknownAutoclearFeatures());
    assertEquals(Optional.of("luks"), report.encryption());
    assertTrue(report.corrupt());
    assertEquals(List.of("unknown incompatible feature bits 0x10000000000",
        "unknown compatible feature bits 0x80", "unknown autoclear feature bits 0x200",
        "the image is marked corrupt"), r.violations());
    assertEquals(List.of("the image is encrypted (luks)"), ImageOperations.inspect(image,
        new InspectionPolicy("no-crypto", InspectionPolicy.trusted().references(), true, true,
            false, true)).violations());
  }

  @Test
  void anotherFormatsSignatureMakesTheImageAmbiguous() throws IOException {
    Path image = image("gpt.qcow2", CreateOptions.builder(1 << 20).build());
    patch(image, 4096, "EFI PART".getBytes(StandardCharsets.US_ASCII));
    patch(image, 0x8001, "CD001".getBytes(StandardCharsets.US_ASCII));
    InspectionResult r = ImageOperations.inspect(image, InspectionPolicy.untrusted());
    assertEquals(List.of("qcow2", "gpt", "iso9660"), r.report().signatures());
    assertEquals(List.of("the bytes also carry the signature of gpt, iso9660 (a prober could "
        + "read the file as gpt)"), r.violations());
    assertTrue(ImageOperations.inspect(image, InspectionPolicy.noExternalReferences()).passes());

    Path footer = image("vhd.qcow2", CreateOptions.builder(1 << 20).build());
    long end = Files.size(footer);
    patch(footer, end, new byte[512]);
    patch(footer, end, "conectix".getBytes(StandardCharsets.US_ASCII));
    assertEquals(List.of("qcow2", "vhd"),
        ImageOperations.inspect(footer, InspectionPolicy.untrusted()).report().signatures());
  }

  @Test
  void otherFilesAreNamedByTheirSignature() throws IOException {
    Path mbr = dir.resolve("disk.raw");
    byte[] bytes = new byte[8192];
    bytes[510] = 0x55;
    bytes[511] = (byte) 0xaa;
    System.arraycopy("EFI PART".getBytes(StandardCharsets.US_ASCII), 0, bytes, 512, 8);
    Files.write(mbr, bytes);
    InspectionReport r = ImageOperations.inspect(mbr, InspectionPolicy.untrusted()).report();
    assertEquals("raw", r.format());
    assertEquals(List.of("mbr", "gpt"), r.signatures());
    assertEquals(8192, r.virtualSize());

    Path vmdk = dir.resolve("disk.vmdk");
    byte[] v = new byte[1024];
    System.arraycopy("KDMV".getBytes(StandardCharsets.US_ASCII), 0, v, 0, 4);
    Files.write(vmdk, v);
    assertEquals("vmdk", ImageOperations.inspect(vmdk, InspectionPolicy.untrusted()).report()
        .format());
    Path empty = Files.write(dir.resolve("empty"), new byte[0]);
    assertEquals(List.of(), ImageOperations.inspect(empty, InspectionPolicy.untrusted())
        .report().signatures());
  }

  @Test
  void readsAtMostTheFirstClusterWhateverTheImageClaims() throws IOException {
    Path image = image("big.qcow2", CreateOptions.builder(1L << 40).clusterSize(2 << 20)
        .build());
    patch(image, 40L << 20, new byte[] {1});
    AtomicLong bytesRead = new AtomicLong();
    WrappingLocation counting = new WrappingLocation(image, f -> new Counting(f, bytesRead));
    ImageOperations.inspect(counting, InspectionPolicy.untrusted());
    // Cluster 0, the first 4 KiB read before the cluster size is known, and signature bytes.
    assertTrue(bytesRead.get() <= (2 << 20) + 4096 + 256, bytesRead + " bytes read");
  }

  @Test
  void malformedHeadersAreIoExceptionsNamingTheField() throws IOException {
    Path image = image("bad.qcow2", CreateOptions.builder(1 << 20).build());
    patchInt(image, 20, 40);
    CorruptImageException e = assertThrows(CorruptImageException.class,
        () -> ImageOperations.inspect(image, InspectionPolicy.untrusted()));
    assertTrue(e.getMessage().contains("cluster_bits"), e.getMessage());
    Path shortFile = Files.write(dir.resolve("short.qcow2"), new byte[] {'Q', 'F', 'I', (byte) 0xfb,
        0, 0, 0, 3, 0});
    assertThrows(CorruptImageException.class,
        () -> ImageOperations.inspect(shortFile, InspectionPolicy.untrusted()));
    assertFalse(NotQcow2Exception.class.isInstance(e));
  }

  private Path image(String name, CreateOptions options) throws IOException {
    Path p = dir.resolve(name);
    Qcow2Image.create(new PathLocation(p), options, OpenOptions.readWrite()).close();
    return p;
  }

  private static void patchLong(Path p, long at, long value) throws IOException {
    patch(p, at, ByteBuffer.allocate(8).putLong(value).array());
  }

  private static void patchInt(Path p, long at, int value) throws IOException {
    patch(p, at, ByteBuffer.allocate(4).putInt(value).array());
  }

  private static void patch(Path p, long at, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(bytes), at);
    }
  }

  private record Counting(HostFile delegate, AtomicLong bytes) implements ForwardingHostFile {
    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      int n = delegate.read(dst, position);
      bytes.addAndGet(Math.max(n, 0));
      return n;
    }
  }
}
