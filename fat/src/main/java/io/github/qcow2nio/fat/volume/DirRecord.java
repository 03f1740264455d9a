package io.github.qcow2nio.fat.volume;

/**
 * One name in a directory: its short entry and where its slots lie.
 *
 * @param name the long name, or the short name as it reads when there is no valid long name
 * @param firstSlot the slot of the first long-name entry (the short slot when there is none)
 * @param shortSlot the slot of the short entry
 */
public record DirRecord(String name, ShortEntry entry, int firstSlot, int shortSlot) {
  public String shortName() {
    return ShortNames.display(entry.name(), entry.caseFlags());
  }

  public boolean matches(String other) {
    return name.equalsIgnoreCase(other) || shortName().equalsIgnoreCase(other);
  }
}
