/**
 * Wall-clock dates and times in an IANA time zone, turned into instants with the ICU data
 * built into the runtime (Intl): DST-correct, no dependency, pure.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall-clock reading of an instant in a zone, as if it were UTC (milliseconds, whole seconds). */
function wallClockOf(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** The zone's offset from UTC at an instant, in milliseconds (Asia/Tokyo: +9 h). */
export function zoneOffsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallClockOf(whole, timeZone) - whole;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;

/** `YYYY-MM-DD` naming a real calendar day, as [year, month (1-12), day], or null. */
export function parseLocalDate(date: string): [number, number, number] | null {
  const match = DATE.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return [year, month, day];
}

/** `HH:MM` from 00:00 to 23:59 (and 24:00 where `allowEndOfDay`), as minutes since midnight, or null. */
export function parseLocalTime(time: string, allowEndOfDay = false): number | null {
  const match = TIME.exec(time);
  if (!match) return null;
  const [hours, minutes] = [Number(match[1]), Number(match[2])];
  if (allowEndOfDay && hours === 24 && minutes === 0) return 24 * 60;
  if (hours > 23 || minutes > 59) return null;
  return hours * 60 + minutes;
}

/** The day after `YYYY-MM-DD`. */
export function nextLocalDate(date: string): string {
  const [year, month, day] = parseLocalDate(date)!;
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}

/**
 * The instant (epoch milliseconds) at which the wall clock of `timeZone` reads `date` at
 * `minutes` past midnight (24:00 is the next day's midnight). Where the clocks go back and the
 * reading happens twice, the earlier instant; where they jump forward and it never happens,
 * null.
 */
export function zonedTimeToInstant(date: string, minutes: number, timeZone: string): number | null {
  const ymd = parseLocalDate(date);
  if (!ymd) return null;
  const wanted = Date.UTC(ymd[0], ymd[1] - 1, ymd[2], 0, minutes);
  // The offsets a day either side bracket any transition near the wanted reading.
  const day = 24 * 60 * 60 * 1000;
  const offsets = new Set([zoneOffsetAt(wanted - day, timeZone), zoneOffsetAt(wanted, timeZone), zoneOffsetAt(wanted + day, timeZone)]);
  const candidates = [...offsets]
    .map((offset) => wanted - offset)
    .filter((instant) => wallClockOf(instant, timeZone) === wanted)
    .sort((a, b) => a - b);
  return candidates.length ? candidates[0] : null;
}

/**
 * ISO-8601 date-time with an explicit offset (`2026-03-01T08:00:00+09:00`, `...Z`), naming a
 * real calendar day and time; the instant in epoch milliseconds, or null.
 */
export function parseOffsetDateTime(value: string): number | null {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/.exec(value);
  if (!match) return null;
  if (!parseLocalDate(match[1])) return null;
  if (Number(match[2]) > 23 || Number(match[3]) > 59 || Number(match[4] ?? 0) > 59) return null;
  if (match[5] !== 'Z' && (Number(match[6]) > 23 || Number(match[7]) > 59)) return null;
  const instant = Date.parse(value);
  return Number.isNaN(instant) ? null : instant;
}
