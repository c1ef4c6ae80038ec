import { zoneOffsetAt } from '@app/domain';

const DAY_MS = 24 * 60 * 60 * 1000;
const QUARTER_HOUR_MS = 15 * 60 * 1000;

/**
 * Calendar dates and ISO weeks of instants in one time zone (the organization's), for the
 * reports. Offsets come from the runtime's time-zone data (Intl), so the day and the week of an
 * instant are right on both sides of a daylight-saving change. A report asks for the dates of
 * many instants, so offsets are kept: per UTC day when the day starts and ends at the same
 * offset (no change within it), else per quarter hour (zones change offsets on a quarter hour).
 */
export class LocalCalendar {
  private readonly days = new Map<number, number | null>();
  private readonly quarters = new Map<number, number>();

  constructor(readonly timeZone: string) {}

  /** The local calendar date (`YYYY-MM-DD`) of an instant (ISO 8601 string or epoch ms). */
  dateOf(instant: string | number): string {
    const ms = typeof instant === 'number' ? instant : Date.parse(instant);
    return new Date(ms + this.offsetAt(ms)).toISOString().slice(0, 10);
  }

  private offsetAt(ms: number): number {
    const day = Math.floor(ms / DAY_MS);
    let whole = this.days.get(day);
    if (whole === undefined) {
      const [start, end] = [zoneOffsetAt(day * DAY_MS, this.timeZone), zoneOffsetAt((day + 1) * DAY_MS - QUARTER_HOUR_MS, this.timeZone)];
      this.days.set(day, (whole = start === end ? start : null));
    }
    if (whole !== null) return whole;
    const quarter = Math.floor(ms / QUARTER_HOUR_MS);
    let offset = this.quarters.get(quarter);
    if (offset === undefined) this.quarters.set(quarter, (offset = zoneOffsetAt(quarter * QUARTER_HOUR_MS, this.timeZone)));
    return offset;
  }
}

export interface IsoWeek {
  /** `YYYY-Www`: the ISO 8601 week-numbering year and week (2026-W01 starts on Monday 2025-12-29). */
  week: string;
  /** The week's Monday, `YYYY-MM-DD`. */
  weekStart: string;
}

/** The ISO 8601 week of a calendar date: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeekOf(date: string): IsoWeek {
  const [year, month, day] = date.split('-').map(Number);
  const midnight = Date.UTC(year, month - 1, day);
  const weekday = (new Date(midnight).getUTCDay() + 6) % 7; // Monday 0 ... Sunday 6
  const monday = midnight - weekday * DAY_MS;
  const thursday = monday + 3 * DAY_MS;
  const weekYear = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(weekYear, 0, 1)) / (7 * DAY_MS)) + 1;
  return { week: `${weekYear}-W${String(week).padStart(2, '0')}`, weekStart: new Date(monday).toISOString().slice(0, 10) };
}

/** `YYYY-MM` of an ISO 8601 instant, in UTC: the partition key of rows kept by instant. */
export function utcMonthOf(instant: string): string {
  return new Date(instant).toISOString().slice(0, 7);
}

/** The months (`YYYY-MM`) from the month of `from` to the month of `to`, both calendar dates, inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [year, month] = from.split('-').map(Number);
  const [lastYear, lastMonth] = to.split('-').map(Number);
  while (year < lastYear || (year === lastYear && month <= lastMonth)) {
    months.push(`${year}-${String(month).padStart(2, '0')}`);
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
  return months;
}

/**
 * The UTC months an instant whose local date lies in [from, to] can fall in: local and UTC dates
 * differ by at most a day (offsets stay within ±14 h), so the months of the day before `from`
 * to the day after `to`.
 */
export function utcMonthsOfLocalDates(from: string, to: string): string[] {
  const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
  return monthsBetween(shift(from, -1), shift(to, 1));
}
