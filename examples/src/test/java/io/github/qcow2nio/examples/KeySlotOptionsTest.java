package io.github.qcow2nio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.qcow2nio.format.EncryptionInfo;
import io.github.qcow2nio.format.ImageMetadata;
import io.github.qcow2nio.format.io.PathLocation;
import io.github.qcow2nio.format.testing.CryptoGolden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qcow2 amend -o encrypt.*} on the LUKS golden image without qemu-img: the messages and
 * exit statuses are the ones qemu-img 7.2 gave for the same command lines (recorded by hand and
 * compared live by {@link KeySlotsAgainstQemuTest}), the numbers read as its option parser reads
 * them, and no passphrase is ever printed.
 */
class KeySlotOptionsTest {
  private static final String GOLD = CryptoGolden.LUKS_PASSPHRASE;
  @TempDir Path dir;
  private Path image;

  @BeforeEach
  void golden() throws IOException {
    image = dir.resolve("luks.qcow2");
    Files.write(image, CryptoGolden.bytes(CryptoGolden.LUKS));
  }

  private ToolRun amend(String key, String... rest) {
    List<String> a = new ArrayList<>(List.of("amend", "--object", "secret,id=k,data=" + GOLD,
        "--object", "secret,id=n,data=n3w-pass", "--object", "secret,id=bad,data=wr0ng",
        "--image-opts", "driver=qcow2,file.filename=" + image + ",encrypt.key-secret=" + key));
    a.addAll(List.of(rest));
    ToolRun run = ToolRun.of(a.toArray(String[]::new));
    for (String secret : List.of(GOLD, "n3w-pass", "wr0ng")) {
      assertFalse((run.out() + run.err()).contains(secret), run.err());
    }
    return run;
  }

  private List<Boolean> active() throws IOException {
    return ImageMetadata.read(new PathLocation(image), true).encryption().luks().slots()
        .stream().map(EncryptionInfo.KeySlot::active).toList();
  }

  private void refused(String message, String key, String... rest) throws IOException {
    byte[] before = Files.readAllBytes(image);
    ToolRun run = amend(key, rest);
    assertEquals(1, run.status(), run.err());
    assertEquals("", run.out());
    assertEquals(message, run.err());
    assertArrayEquals(before, Files.readAllBytes(image));
  }

  @Test
  void addsInTheFirstFreeOrANamedSlotAndErases() throws IOException {
    ToolRun run = amend("k", "-o", "encrypt.state=active,encrypt.new-secret=n,"
        + "encrypt.iter-time=1");
    assertEquals(0, run.status(), run.err());
    assertEquals("", run.out() + run.err());
    run = amend("n", "-o", "encrypt.state=active,encrypt.new-secret=n,encrypt.keyslot=0x3,"
        + "encrypt.iter-time=1");
    assertEquals(0, run.status(), run.err());
    assertEquals(List.of(true, true, false, true, false, false, false, false), active());
    run = amend("k", "-o", "encrypt.state=inactive,encrypt.old-secret=n");
    assertEquals(0, run.status(), run.err());
    assertEquals(List.of(true, false, false, false, false, false, false, false), active());
  }

  @Test
  void refusalsAsQemuImgPrintsThem() throws IOException {
    String opts = "driver=qcow2,file.filename=" + image + ",encrypt.key-secret=bad";
    refused("qcow2: Could not open '" + opts + "': Invalid password, cannot unlock any keyslot\n",
        "bad", "-o", "encrypt.state=active,encrypt.new-secret=n");
    refused("qcow2: Refusing to overwrite active keyslot 0 - please erase it first\n", "k",
        "-o", "encrypt.state=active,encrypt.new-secret=n,encrypt.keyslot=0");
    refused("qcow2: Invalid keyslot 4294967295 specified, must be between 0 and 7\n", "k",
        "-o", "encrypt.state=active,encrypt.new-secret=n,encrypt.keyslot=-1");
    refused("qcow2: Invalid keyslot 8 specified, must be between 0 and 7\n", "k",
        "-o", "encrypt.state=inactive,encrypt.keyslot=010");
    refused("qcow2: Invalid keyslot 1215752191 specified, must be between 0 and 7\n", "k",
        "-o", "encrypt.state=inactive,encrypt.keyslot=99999999999");
    refused("qcow2: Parameter 'encrypt.keyslot' expects a number\n", "k",
        "-o", "encrypt.state=inactive,encrypt.keyslot=abc");
    refused("qcow2: Value '99999999999999999999' is too large for parameter 'encrypt.keyslot'\n",
        "k", "-o", "encrypt.keyslot=99999999999999999999");
    refused("qcow2: Parameter 'iter-time' expects integer\n", "k", "-o",
        "encrypt.state=active,encrypt.new-secret=n,encrypt.iter-time=18446744073709551615");
    refused("qcow2: Parameter 'state' does not accept value 'on'\n", "k", "-o", "encrypt.state");
    refused("qcow2: Parameter 'state' is missing\n", "k", "-o", "encrypt.keyslot=2");
    refused("qcow2: No secret with id 'nosuch'\n", "k", "-o",
        "encrypt.state=active,encrypt.new-secret=nosuch");
    refused("qcow2: Given keyslot 5 is already erased (inactive) \n", "k", "-o",
        "encrypt.state=inactive,encrypt.keyslot=5");
    refused("qcow2: Attempt to erase the only active keyslot 0 which will erase all the data in "
        + "the image irreversibly - refusing operation\n", "k", "-o",
        "encrypt.state=inactive,encrypt.keyslot=0");
    refused("qcow2: 'iter-time' must not be given when erasing keyslots\n", "k", "-o",
        "encrypt.state=inactive,encrypt.keyslot=0,encrypt.iter-time=10");
    refused("qcow2: Refcount width must be a power of two and may not exceed 64 bits\n", "k",
        "-o", "encrypt.state=inactive,encrypt.keyslot=0,refcount_bits=3");
    refused("qcow2: Invalid parameter 'encrypt.format'\n"
        + "This option is only supported for image creation\n", "k", "-o", "encrypt.format=luks");
    refused("qcow2: amending encrypt.* options together with other options is not supported: "
        + "amend them in two calls\n", "k", "-o",
        "encrypt.state=active,encrypt.new-secret=n,lazy_refcounts=on");
  }

  @Test
  void plainAndLegacyAesImagesHaveNoKeySlots() throws IOException {
    Path aes = dir.resolve("aes.qcow2");
    Files.write(aes, CryptoGolden.bytes(CryptoGolden.AES));
    ToolRun run = ToolRun.of("amend", "--object", "secret,id=k,data="
        + CryptoGolden.AES_PASSPHRASE, "--object", "secret,id=n,data=x", "--image-opts",
        "driver=qcow2,file.filename=" + aes + ",encrypt.key-secret=k", "-o",
        "encrypt.state=active,encrypt.new-secret=n");
    assertEquals(1, run.status());
    assertEquals("qcow2: Only LUKS encryption options can be amended\n", run.err());
    Path plain = dir.resolve("plain.qcow2");
    assertEquals(0, ToolRun.of("create", "-q", "-f", "qcow2", plain.toString(), "1M").status());
    run = ToolRun.of("amend", "--object", "secret,id=n,data=x", "-o",
        "encrypt.state=bogus,encrypt.new-secret=n", plain.toString());
    assertEquals(1, run.status());
    assertEquals("qcow2: Can't amend encryption options - encryption not present\n", run.err());
  }
}
