import { DomainError } from '@app/domain';
import { CollectionName, ReadStore, Row, Scalar } from '../read-store';
import { LocalCalendar } from './calendar';

/** What every report is asked: whose, as of when, in which time zone, and the filters. */
export interface ReportQuery {
  organizationId: string;
  /** The organization's IANA time zone: it decides the day and the ISO week of every instant. */
  timeZone: string;
  /** "Now" for states that depend on the clock (pending or expired, overdue). */
  now: Date;
  /** First local calendar date included (`YYYY-MM-DD`), in the organization's time zone. */
  from?: string;
  /** Last local calendar date included (`YYYY-MM-DD`). */
  to?: string;
  portalId?: string;
  clientId?: string;
}

/** A report's answer: one item per group, and the totals over every item. */
export interface Report<Item, Totals> {
  items: Item[];
  totals: Totals;
}

/** Most rows one report reads; beyond it the report is refused (422 `report-too-large`) rather than slow. */
export const REPORT_SCAN_LIMIT = 500_000;
const PAGE_SIZE = 1000;

/** Counts the rows a report reads, and stops it at the limit. */
export class ScanBudget {
  private scanned = 0;

  constructor(private readonly limit = REPORT_SCAN_LIMIT) {}

  take(): void {
    this.scanned += 1;
    if (this.scanned > this.limit) {
      throw new DomainError(
        'unprocessable',
        'report-too-large',
        `This report would read more than ${this.limit} rows: narrow it with clientId, portalId, or from and to.`,
      );
    }
  }
}

/**
 * Every row of a collection matching `where` (equality on a declared index prefix), page by
 * page in id order: bounded memory, and bounded work through the budget.
 */
export async function* scanRows<R extends Row>(readStore: ReadStore, collection: CollectionName<R>, where: Record<string, Scalar>, budget: ScanBudget): AsyncGenerator<R> {
  let afterId: string | undefined;
  for (;;) {
    const page = await readStore.find(collection, { where, afterId, limit: PAGE_SIZE });
    for (const doc of page) {
      budget.take();
      yield doc;
    }
    if (page.length < PAGE_SIZE) return;
    afterId = page[page.length - 1].id;
  }
}

/**
 * Rows partitioned by a `month` field: with a month list, only those partitions are read (one
 * indexed query each); without one, every row matching `where`.
 */
export async function* scanMonths<R extends Row>(
  readStore: ReadStore,
  collection: CollectionName<R>,
  where: Record<string, Scalar>,
  months: string[] | null,
  budget: ScanBudget,
): AsyncGenerator<R> {
  if (months === null) {
    yield* scanRows(readStore, collection, where, budget);
    return;
  }
  for (const month of months) yield* scanRows(readStore, collection, { ...where, month }, budget);
}

/** Reads a month list only for ranges up to this long; a longer one reads the organization's rows whole. */
const MAX_MONTH_PARTITIONS = 36;

/** The partitions to read for a query's range, or null to read every row. */
export function partitionsFor(months: string[] | null): string[] | null {
  return months !== null && months.length <= MAX_MONTH_PARTITIONS ? months : null;
}

/** Whether a local calendar date lies within the query's range (inclusive; open ends allowed). */
export function inRange(date: string, query: Pick<ReportQuery, 'from' | 'to'>): boolean {
  return (query.from === undefined || date >= query.from) && (query.to === undefined || date <= query.to);
}

/** Whether an instant's local date (in the query's calendar) lies within the query's range. */
export function instantInRange(instant: string, calendar: LocalCalendar, query: Pick<ReportQuery, 'from' | 'to'>): boolean {
  if (query.from === undefined && query.to === undefined) return true;
  return inRange(calendar.dateOf(instant), query);
}

/** Orders items by the given string keys, in turn. */
export function byKeys<T>(...keys: ((item: T) => string)[]): (a: T, b: T) => number {
  return (a, b) => {
    for (const key of keys) {
      const [x, y] = [key(a), key(b)];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
}
