package io.github.qcow2nio.partition;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A disk's partition table as read.
 *
 * @param scheme MBR or GPT (a hybrid MBR reads as GPT)
 * @param sectorSize bytes per logical sector the table is in
 * @param diskSize bytes of the disk it was read from
 * @param diskId the GPT disk GUID in upper case, or the MBR disk signature as "0x%08x"
 * @param header which copy of the table was used: MBR, or the GPT primary or backup header
 * @param firstUsableLba GPT: the first sector partitions may use; MBR: 1
 * @param lastUsableLba GPT: the last sector partitions may use; MBR: the disk's last sector
 * @param problems what was wrong but survivable, such as a damaged primary GPT header
 * @param partitions the partitions, by number
 */
public record PartitionTable(Scheme scheme, int sectorSize, long diskSize, String diskId,
    Header header, long firstUsableLba, long lastUsableLba, List<String> problems,
    List<Partition> partitions) {

  /** The kind of table. */
  public enum Scheme {
    MBR, GPT
  }

  /** The copy of the table that was read. */
  public enum Header {
    MBR, PRIMARY, BACKUP
  }

  public PartitionTable {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(header, "header");
    problems = List.copyOf(problems);
    partitions = List.copyOf(partitions);
  }

  /** The GPT disk GUID; empty for MBR. */
  public Optional<UUID> diskGuid() {
    return scheme == Scheme.GPT ? Optional.of(UUID.fromString(diskId)) : Optional.empty();
  }

  /** The partition numbered {@code number}, if there is one. */
  public Optional<Partition> partition(int number) {
    for (Partition p : partitions) {
      if (p.number() == number) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
