import { PageLanguage } from '../i18n';

/** Dates, times, money and numbers as the person reads them: its language, time zone and clock. */
export class Formatter {
  readonly timeZone: string;

  /** Without a known time zone (before signing in) instants are shown in UTC, saying so. */
  private readonly zoneKnown: boolean;

  constructor(
    readonly language: PageLanguage,
    timeZone?: string,
    private readonly hour12?: boolean,
  ) {
    this.zoneKnown = !!timeZone && isTimeZone(timeZone);
    this.timeZone = this.zoneKnown ? timeZone! : 'UTC';
  }

  /** An instant, in the person's time zone. */
  dateTime(iso: string | null | undefined): string {
    if (!iso) return '';
    const at = new Date(iso);
    if (Number.isNaN(at.getTime())) return iso;
    const timeStyle = this.zoneKnown ? 'short' : 'long';
    return new Intl.DateTimeFormat(this.language, { dateStyle: 'medium', timeStyle, timeZone: this.timeZone, hour12: this.hour12 }).format(at);
  }

  /** The time of day of an instant, in the person's time zone. */
  time(iso: string): string {
    const at = new Date(iso);
    if (Number.isNaN(at.getTime())) return iso;
    return new Intl.DateTimeFormat(this.language, { timeStyle: 'short', timeZone: this.timeZone, hour12: this.hour12 }).format(at);
  }

  /** A calendar date (YYYY-MM-DD): the same day wherever the reader is. */
  date(day: string | null | undefined): string {
    if (!day) return '';
    const at = new Date(`${day.slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(at.getTime())) return day;
    return new Intl.DateTimeFormat(this.language, { dateStyle: 'medium', timeZone: 'UTC' }).format(at);
  }

  /** A decimal string in a currency (the API's exact figure, shown with the currency's digits). */
  money(amount: string | null | undefined, currency: string): string {
    if (amount === null || amount === undefined) return '';
    const value = Number(amount);
    if (!Number.isFinite(value)) return `${amount} ${currency}`;
    try {
      return new Intl.NumberFormat(this.language, { style: 'currency', currency }).format(value);
    } catch {
      return `${amount} ${currency}`;
    }
  }

  number(value: number | string, maximumFractionDigits = 2): string {
    const n = typeof value === 'number' ? value : Number(value);
    return Number.isFinite(n) ? new Intl.NumberFormat(this.language, { maximumFractionDigits }).format(n) : String(value);
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
