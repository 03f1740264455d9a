package io.github.qcow2nio.format.ops;

import io.github.qcow2nio.format.InspectionPolicy;
import io.github.qcow2nio.format.InspectionReport;
import io.github.qcow2nio.format.InspectionResult;
import io.github.qcow2nio.format.error.ReferenceRefusedException;
import io.github.qcow2nio.format.io.HostFile;
import io.github.qcow2nio.format.io.ImageLocation;
import io.github.qcow2nio.format.struct.Features;
import io.github.qcow2nio.format.struct.Header;
import io.github.qcow2nio.format.struct.HeaderExtensions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Looks at an image before anything uses it: the header and its extensions in the first
 * cluster (at most 2 MiB, whatever the image claims) and a few signature bytes, nothing the
 * header points at, no file it names, no lock taken. Judging is separate from reading so that
 * one report can be judged under several policies.
 */
public final class Inspect {
  private static final int FIRST_READ = 4096;

  private Inspect() {}

  /** Reads the report of the image at {@code location}. */
  public static InspectionReport report(ImageLocation location) throws IOException {
    String name = location.displayName();
    try (HostFile file = location.open(false)) {
      List<String> signatures = FormatSignatures.find(file);
      long size = file.size();
      if (signatures.isEmpty() || !signatures.get(0).equals("qcow2")) {
        String format = signatures.isEmpty() || !isStartFormat(signatures.get(0)) ? "raw"
            : signatures.get(0);
        return new InspectionReport(name, format, signatures, 0, size, 0, Optional.empty(),
            Optional.empty(), Optional.empty(), false, Optional.empty(), false, false, 0, 0, 0,
            List.of(), 0, 0);
      }
      // As the opener reads it: the header's own cluster size bounds the second read.
      Header h = Header.parse(read(file, (int) Math.min(size, FIRST_READ)), name);
      ByteBuffer cluster0 = h.clusterSize() > FIRST_READ && size > FIRST_READ
          ? read(file, (int) Math.min(size, h.clusterSize()))
          : read(file, (int) Math.min(size, FIRST_READ));
      HeaderExtensions ext = HeaderExtensions.parse(cluster0, h);
      List<Integer> unknownTypes = new ArrayList<>();
      for (HeaderExtensions.RawExtension raw : ext.unknown()) {
        unknownTypes.add(raw.type());
      }
      Optional<String> encryption = switch (h.cryptMethod()) {
        case Header.CRYPT_NONE -> Optional.empty();
        case Header.CRYPT_AES -> Optional.of("aes");
        case Header.CRYPT_LUKS -> Optional.of("luks");
        default -> Optional.of("unknown method " + Integer.toUnsignedString(h.cryptMethod()));
      };
      boolean hasData = (h.incompatibleFeatures() & Features.INCOMPAT_DATA_FILE) != 0;
      return new InspectionReport(name, "qcow2", signatures, h.version(), h.size(),
          h.clusterSize(), ext.backingFile(), ext.backingFormat(),
          hasData ? Optional.of(ext.dataFile().orElse("")) : Optional.empty(),
          (h.autoclearFeatures() & Features.AUTOCLEAR_DATA_FILE_RAW) != 0, encryption,
          (h.incompatibleFeatures() & Features.INCOMPAT_DIRTY) != 0,
          (h.incompatibleFeatures() & Features.INCOMPAT_CORRUPT) != 0,
          h.incompatibleFeatures() & ~Features.INCOMPAT_KNOWN,
          h.compatibleFeatures() & ~Features.COMPAT_LAZY_REFCOUNTS,
          h.autoclearFeatures() & ~Features.AUTOCLEAR_KNOWN, unknownTypes,
          h.nbSnapshots(), ext.bitmaps().map(b -> b.nbBitmaps()).orElse(0));
    }
  }

  /** Judges {@code report} of the image at {@code location} under {@code policy}. */
  public static InspectionResult judge(ImageLocation location, InspectionReport report,
      InspectionPolicy policy) throws IOException {
    List<String> violations = new ArrayList<>();
    if (report.backingFile().isPresent()) {
      String backing = report.backingFile().get();
      String named = backing.startsWith("file:") ? backing.substring("file:".length()) : backing;
      reference(location, named, "backing file", policy, violations);
      if (report.backingFormat().isEmpty() && !policy.references().probesFormats()
          && violations.isEmpty()) {
        violations.add("backing file '" + backing + "' has no format named in the image, and "
            + policy.references() + " does not probe formats");
      }
    }
    if (report.dataFile().isPresent()) {
      String data = report.dataFile().get();
      if (data.isEmpty()) {
        violations.add("the image keeps its data in an external data file it does not name");
      } else {
        reference(location, data, "data file", policy, violations);
      }
    }
    if (!policy.unknownFeatures()) {
      unknownBits("incompatible", report.unknownIncompatibleFeatures(), violations);
      unknownBits("compatible", report.unknownCompatibleFeatures(), violations);
      unknownBits("autoclear", report.unknownAutoclearFeatures(), violations);
      for (int type : report.unknownExtensions()) {
        violations.add(String.format("unknown header extension 0x%08x", type));
      }
    }
    if (!policy.ambiguousFormat() && report.ambiguous()) {
      violations.add("the bytes also carry the signature of "
          + String.join(", ", report.signatures().subList(1, report.signatures().size()))
          + " (a prober could read the file as " + report.signatures().get(1) + ")");
    }
    if (!policy.encryption() && report.encryption().isPresent()) {
      violations.add("the image is encrypted (" + report.encryption().get() + ")");
    }
    if (!policy.corrupt() && report.corrupt()) {
      violations.add("the image is marked corrupt");
    }
    return new InspectionResult(report, policy, violations);
  }

  private static void reference(ImageLocation location, String name, String what,
      InspectionPolicy policy, List<String> violations) throws IOException {
    try {
      policy.references().resolve(location, name, what);
    } catch (ReferenceRefusedException e) {
      violations.add(e.getMessage().substring(location.displayName().length() + 2));
    }
  }

  private static void unknownBits(String kind, long bits, List<String> violations) {
    if (bits != 0) {
      violations.add(String.format("unknown %s feature bits 0x%x", kind, bits));
    }
  }

  private static boolean isStartFormat(String format) {
    return !format.equals("mbr") && !format.equals("gpt") && !format.equals("iso9660");
  }

  private static ByteBuffer read(HostFile file, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    while (b.hasRemaining()) {
      if (file.read(b, b.position()) <= 0) {
        break;
      }
    }
    return b.flip();
  }
}
