package io.github.qcow2nio.fat.volume;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * FAT dates and times: local time of the machine, as FAT defines it (the volume records no zone),
 * years 1980..2107, two-second resolution, plus a tenths byte (10 ms units) for creation.
 */
public final class DosTime {
  private DosTime() {}

  private static final ZoneId ZONE = ZoneId.systemDefault();

  /** An instant from a date and time word (and 10 ms units); date 0 means "not recorded". */
  public static Instant toInstant(int date, int time, int tenMs) {
    if (date == 0) {
      return Instant.EPOCH;
    }
    int year = 1980 + (date >>> 9 & 0x7f);
    int month = Math.max(1, Math.min(12, date >>> 5 & 0x0f));
    int day = Math.max(1, date & 0x1f);
    int hour = Math.min(23, time >>> 11 & 0x1f);
    int minute = Math.min(59, time >>> 5 & 0x3f);
    int second = Math.min(59, (time & 0x1f) * 2);
    LocalDateTime base = LocalDateTime.of(year, month, 1, hour, minute, second);
    base = base.plusDays(Math.min(day, base.toLocalDate().lengthOfMonth()) - 1);
    return base.atZone(ZONE).toInstant().plusMillis(Math.min(199, tenMs) * 10L);
  }

  /** The date word of {@code t}, clamped to FAT's 1980..2107. */
  public static int date(Instant t) {
    ZonedDateTime z = clamp(t);
    return (z.getYear() - 1980) << 9 | z.getMonthValue() << 5 | z.getDayOfMonth();
  }

  public static int time(Instant t) {
    ZonedDateTime z = clamp(t);
    return z.getHour() << 11 | z.getMinute() << 5 | z.getSecond() / 2;
  }

  /** The 10 ms units past the even second of {@link #time}. */
  public static int tenMs(Instant t) {
    ZonedDateTime z = clamp(t);
    return (z.getSecond() % 2) * 100 + z.getNano() / 10_000_000;
  }

  private static ZonedDateTime clamp(Instant t) {
    ZonedDateTime z = t.atZone(ZONE);
    if (z.getYear() < 1980) {
      return LocalDateTime.of(1980, 1, 1, 0, 0).atZone(ZONE);
    }
    if (z.getYear() > 2107) {
      return LocalDateTime.of(2107, 12, 31, 23, 59, 58).atZone(ZONE);
    }
    return z;
  }
}
