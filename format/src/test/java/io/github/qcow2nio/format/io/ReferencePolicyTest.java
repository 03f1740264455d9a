package io.github.qcow2nio.format.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.qcow2nio.format.CreateOptions;
import io.github.qcow2nio.format.OpenOptions;
import io.github.qcow2nio.format.Qcow2Image;
import io.github.qcow2nio.format.error.ReferenceRefusedException;
import io.github.qcow2nio.format.testing.HeaderPatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference policy decides which files an image's names reach: every refusal is a
 * {@link ReferenceRefusedException} naming the image, the name and the policy, and what is
 * allowed still reads the backing file's bytes.
 */
class ReferencePolicyTest {
  private static final int SIZE = 1 << 20;

  @TempDir Path root;
  Path jail;
  Path outside;

  @BeforeEach
  void dirs() throws IOException {
    jail = Files.createDirectories(root.resolve("jail"));
    outside = Files.createDirectories(root.resolve("outside"));
  }

  @Test
  void followOpensAnAbsoluteBackingName() throws IOException {
    Path base = base(outside.resolve("base.qcow2"));
    Path top = overlay(jail.resolve("top.qcow2"), base.toString(), "qcow2");
    assertArrayEquals(pattern(), firstBytes(top, ReferencePolicy.follow()));
  }

  @Test
  void noneRefusesBackingAndDataFilesButOpensPlainImages() throws IOException {
    Path base = base(jail.resolve("base.qcow2"));
    Path top = overlay(jail.resolve("top.qcow2"), "base.qcow2", "qcow2");
    ReferenceRefusedException e = assertThrows(ReferenceRefusedException.class,
        () -> open(top, ReferencePolicy.none()));
    assertEquals(top + ": backing file 'base.qcow2' refused by backingPolicy=none: no named file"
        + " is opened", e.getMessage());
    Path withData = jail.resolve("data.qcow2");
    Qcow2Image.create(new PathLocation(withData), CreateOptions.builder(SIZE)
        .dataFile("data.raw").build(), OpenOptions.readWrite()).close();
    e = assertThrows(ReferenceRefusedException.class,
        () -> open(withData, ReferencePolicy.none()));
    assertTrue(e.getMessage().contains("data file 'data.raw' refused by backingPolicy=none"),
        e.getMessage());
    assertArrayEquals(pattern(), firstBytes(base, ReferencePolicy.none()));
  }

  @Test
  void confinedFollowsRelativeNamesInsideAndDataFilesToo() throws IOException {
    Files.createDirectories(jail.resolve("sub"));
    base(jail.resolve("sub/base.qcow2"));
    Path top = overlay(jail.resolve("top.qcow2"), "sub/base.qcow2", "qcow2");
    assertArrayEquals(pattern(), firstBytes(top, ReferencePolicy.confinedTo(jail)));
    Path withData = jail.resolve("data.qcow2");
    Qcow2Image.create(new PathLocation(withData), CreateOptions.builder(SIZE)
        .dataFile("data.raw").build(), OpenOptions.readWrite()).close();
    open(withData, ReferencePolicy.confinedTo(jail)).close();
  }

  @Test
  void confinedRefusesAbsoluteNamesDotDotAndLinksOut() throws IOException {
    Path base = base(outside.resolve("base.qcow2"));
    ReferencePolicy confined = ReferencePolicy.confinedTo(jail);

    Path absolute = overlay(jail.resolve("abs.qcow2"), base.toString(), "qcow2");
    assertRefused(absolute, confined, "absolute names are not followed");

    Path dotDot = overlay(jail.resolve("dots.qcow2"), "../outside/base.qcow2", "qcow2");
    assertRefused(dotDot, confined, "names with '..' are not followed");

    Files.createSymbolicLink(jail.resolve("link.qcow2"), base);
    Path linked = overlay(jail.resolve("linked.qcow2"), "link.qcow2", "qcow2");
    assertRefused(linked, confined, "a link leads outside " + jail);

    Files.createSymbolicLink(jail.resolve("dirlink"), outside);
    Path viaDir = overlay(jail.resolve("viadir.qcow2"), "dirlink/base.qcow2", "qcow2");
    assertRefused(viaDir, confined, "a link leads outside " + jail);
  }

  @Test
  void confinedAllowsLinksThatStayInside() throws IOException {
    Path base = base(jail.resolve("real.qcow2"));
    Files.createSymbolicLink(jail.resolve("alias.qcow2"), base);
    Path top = overlay(jail.resolve("top.qcow2"), "alias.qcow2", "qcow2");
    assertArrayEquals(pattern(), firstBytes(top, ReferencePolicy.confinedTo(jail)));
  }

  @Test
  void confinedNeverProbesAFormatTheImageDoesNotName() throws IOException {
    base(jail.resolve("base.qcow2"));
    Path top = overlay(jail.resolve("top.qcow2"), "base.qcow2", null);
    assertRefused(top, ReferencePolicy.confinedTo(jail), "does not probe formats");
    // The trusted default probes it, as QEMU does.
    assertArrayEquals(pattern(), firstBytes(top, ReferencePolicy.follow()));
  }

  @Test
  void confinedPolicesEveryLayerOfTheChain() throws IOException {
    Path base = base(outside.resolve("base.qcow2"));
    overlay(jail.resolve("mid.qcow2"), base.toString(), "qcow2");
    Path top = overlay(jail.resolve("top.qcow2"), "mid.qcow2", "qcow2");
    ReferenceRefusedException e = assertThrows(ReferenceRefusedException.class,
        () -> open(top, ReferencePolicy.confinedTo(jail)));
    assertTrue(e.getMessage().startsWith(jail.resolve("mid.qcow2") + ": backing file '" + base
        + "' refused by backingPolicy=confined"), e.getMessage());
  }

  @Test
  void confinedRefusesAnImageOutsideItsDirectory() throws IOException {
    base(outside.resolve("base.qcow2"));
    Path top = overlay(outside.resolve("top.qcow2"), "base.qcow2", "qcow2");
    assertRefused(top, ReferencePolicy.confinedTo(jail), "it lies outside " + jail);
  }

  @Test
  void policiesCompareByValue() {
    assertEquals(ReferencePolicy.confinedTo(jail), ReferencePolicy.confinedTo(jail));
    assertEquals("backingPolicy=confined, confineTo=" + jail,
        ReferencePolicy.confinedTo(jail).toString());
    assertEquals(ReferencePolicy.follow(), OpenOptions.readOnly().referencePolicy());
  }

  private static void assertRefused(Path image, ReferencePolicy policy, String why) {
    ReferenceRefusedException e = assertThrows(ReferenceRefusedException.class,
        () -> open(image, policy));
    assertTrue(e.getMessage().startsWith(image + ": backing file '"), e.getMessage());
    assertTrue(e.getMessage().contains(why), e.getMessage());
    assertTrue(e.getMessage().contains(policy.mode().key()), e.getMessage());
  }

  private static Qcow2Image open(Path image, ReferencePolicy policy) throws IOException {
    return Qcow2Image.open(new PathLocation(image),
        OpenOptions.builder().referencePolicy(policy).build());
  }

  private static byte[] firstBytes(Path image, ReferencePolicy policy) throws IOException {
    try (Qcow2Image img = open(image, policy)) {
      ByteBuffer buf = ByteBuffer.allocate(pattern().length);
      img.disk().read(buf, 0);
      return buf.array();
    }
  }

  private static byte[] pattern() {
    byte[] b = new byte[4096];
    Arrays.fill(b, (byte) 0x5a);
    return b;
  }

  private static Path base(Path file) throws IOException {
    try (Qcow2Image img = Qcow2Image.create(new PathLocation(file),
        CreateOptions.builder(SIZE).build(), OpenOptions.readWrite())) {
      img.disk().write(ByteBuffer.wrap(pattern()), 0);
      img.disk().flush();
    }
    return file;
  }

  private static Path overlay(Path file, String backing, String format) throws IOException {
    // Made without opening the backing file (it may be refused on purpose): the header names it.
    Qcow2Image.create(new PathLocation(file), CreateOptions.builder(SIZE).build(),
        OpenOptions.readWrite()).close();
    HeaderPatch.nameBacking(file, backing, format);
    return file;
  }
}
