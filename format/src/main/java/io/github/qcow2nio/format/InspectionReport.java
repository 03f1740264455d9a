package io.github.qcow2nio.format;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an image's first cluster says it would make a reader touch or do, read without following
 * any of it: the result of {@link ImageOperations#inspect}.
 *
 * @param image the image's name, for messages
 * @param format {@code qcow2}, or for other files the format whose signature was found at the
 *     start ({@code vmdk}, {@code vhd}, {@code vhdx}, {@code vdi}, {@code luks}, {@code qed}),
 *     else {@code raw}
 * @param signatures every format whose signature the bytes carry, at its own offset, the format
 *     itself first: more than one means a prober could read the file as something else
 * @param version the qcow2 version, 0 for other files
 * @param virtualSize the guest disk's size in bytes (a raw file's size for other files)
 * @param clusterSize bytes per cluster, 0 for other files
 * @param backingFile the backing file's name as stored
 * @param backingFormat the backing format as stored (absent: a reader would probe)
 * @param dataFile the external data file's name as stored, when the image keeps its data there
 * @param dataFileRaw the data file holds a raw image of the guest disk
 * @param encryption {@code aes}, {@code luks}, or empty
 * @param dirty the image was not closed cleanly (a writable open would repair refcounts)
 * @param corrupt QEMU marked the image corrupt
 * @param unknownIncompatibleFeatures incompatible feature bits this library does not know (QEMU
 *     refuses such an image)
 * @param unknownCompatibleFeatures compatible feature bits this library does not know
 * @param unknownAutoclearFeatures autoclear feature bits this library does not know
 * @param unknownExtensions types of header extensions this library does not know
 * @param snapshots internal snapshots the header counts
 * @param bitmaps persistent dirty bitmaps the header counts
 */
public record InspectionReport(String image, String format, List<String> signatures,
    int version, long virtualSize, int clusterSize, Optional<String> backingFile,
    Optional<String> backingFormat, Optional<String> dataFile, boolean dataFileRaw,
    Optional<String> encryption, boolean dirty, boolean corrupt,
    long unknownIncompatibleFeatures, long unknownCompatibleFeatures,
    long unknownAutoclearFeatures, List<Integer> unknownExtensions, int snapshots, int bitmaps) {

  public InspectionReport {
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(format, "format");
    signatures = List.copyOf(signatures);
    unknownExtensions = List.copyOf(unknownExtensions);
  }

  /** Whether the bytes carry the signature of a format other than their own. */
  public boolean ambiguous() {
    return signatures.size() > 1;
  }
}
