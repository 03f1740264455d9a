package io.github.qcow2nio.format;

import io.github.qcow2nio.format.io.ReferencePolicy;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What an image may ask for before it is used: the judge of an {@link InspectionReport}.
 *
 * @param name how the policy is called in reports ({@code untrusted}, {@code no-external}...)
 * @param references which named files (backing, data file) are acceptable, judged as opening the
 *     image under the same {@link ReferencePolicy} would judge them
 * @param unknownFeatures accept feature bits and header extensions this library does not know
 * @param ambiguousFormat accept bytes that also carry another format's signature (a qcow2 that a
 *     tool probing for GPT, ISO 9660 or a VHD footer would read otherwise)
 * @param encryption accept an encrypted image
 * @param corrupt accept an image QEMU marked corrupt
 */
public record InspectionPolicy(String name, ReferencePolicy references, boolean unknownFeatures,
    boolean ambiguousFormat, boolean encryption, boolean corrupt) {

  public InspectionPolicy {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(references, "references");
  }

  /** Everything reported, nothing refused: images one made oneself. */
  public static InspectionPolicy trusted() {
    return new InspectionPolicy("trusted", ReferencePolicy.follow(), true, true, true, true);
  }

  /** No backing or data file at all; anything else is accepted. */
  public static InspectionPolicy noExternalReferences() {
    return new InspectionPolicy("no-external", ReferencePolicy.none(), true, true, true, true);
  }

  /**
   * For uploads and downloads: no backing or data file, no feature or extension this library
   * does not know, no second format's signature, not marked corrupt. Encryption is accepted
   * (it only hides the guest's bytes).
   */
  public static InspectionPolicy untrusted() {
    return new InspectionPolicy("untrusted", ReferencePolicy.none(), false, false, true, false);
  }

  /** As {@link #untrusted()}, but backing and data files inside {@code directory} are accepted. */
  public static InspectionPolicy confinedTo(Path directory) {
    return new InspectionPolicy("confined", ReferencePolicy.confinedTo(directory), false, false,
        true, false);
  }
}
