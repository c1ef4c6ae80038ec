import type { DocumentKind } from '@app/domain';
import { projectionOf, unhandled, upsert } from '../projection';
import { collection, ProjectionWrite, ReadStore, Scalar } from '../read-store';
import { LocalCalendar, utcMonthOf, utcMonthsOfLocalDates } from './calendar';
import { companiesOfPortal } from './portal-access.report';
import { byKeys, instantInRange, partitionsFor, Report, ReportQuery, scanMonths, ScanBudget } from './report-query';
import { durationStatistics } from './statistics';

/** A shared document and its openings (docs/read-models.md, `report_documents_v1`). */
export interface DocumentReportRow {
  id: string;
  organizationId: string;
  kind: DocumentKind;
  /** The company it is filed under now. */
  clientId: string;
  /** When it was shared (published, submitted). */
  sharedAt: string;
  /** `YYYY-MM` of `sharedAt` in UTC. */
  month: string;
  /** When a portal user first opened it. */
  firstViewedAt: string | null;
  views: number;
}

export const REPORT_DOCUMENTS_COLLECTION = collection<DocumentReportRow>('report_documents_v1');

/**
 * Shared and viewed documents: one row per document (every kind), with when it was shared,
 * when a portal user first opened it, and how many times it was opened. The first opening is
 * the first event of the document's views stream (`documentViews-<id>`, revision 0), so the
 * projection knows it from the event alone. Rows are partitioned by the UTC month of sharing
 * (`month`). Every write is an upsert guarded by position, the view count an increment under
 * the same guard, so a replay counts nothing twice.
 */
export const documentsReportProjection = projectionOf({
  name: 'report_documents_v1',
  eventTypes: ['ShiftPublished', 'TimesheetSubmitted', 'QuoteShared', 'InvoiceShared', 'DocumentViewed', 'DocumentMovedToClient'],
  collections: [
    {
      name: REPORT_DOCUMENTS_COLLECTION,
      indexes: [['organizationId'], ['organizationId', 'month'], ['organizationId', 'clientId'], ['organizationId', 'clientId', 'month']],
    },
  ],

  project(event) {
    const at = event.metadata.occurredAt;
    const shared = (id: string, kind: DocumentKind, clientId: string): ProjectionWrite[] => [
      upsert(REPORT_DOCUMENTS_COLLECTION, id, event.position, {
        setOnInsert: { firstViewedAt: null, views: 0 },
        set: { organizationId: event.metadata.organizationId, kind, clientId, sharedAt: at, month: utcMonthOf(at) },
      }),
    ];
    switch (event.type) {
      case 'ShiftPublished':
        return shared(event.data.shiftId, 'shift', event.data.clientId);
      case 'TimesheetSubmitted':
        return shared(event.data.timesheetId, 'timesheet', event.data.clientId);
      case 'QuoteShared':
        return shared(event.data.quoteId, 'quote', event.data.clientId);
      case 'InvoiceShared':
        return shared(event.data.invoiceId, 'invoice', event.data.clientId);
      case 'DocumentViewed':
        return [
          upsert(REPORT_DOCUMENTS_COLLECTION, event.data.documentId, event.position, {
            set: event.streamRevision === 0n ? { firstViewedAt: at } : undefined,
            inc: { views: 1 },
          }),
        ];
      case 'DocumentMovedToClient':
        return [upsert(REPORT_DOCUMENTS_COLLECTION, event.data.documentId, event.position, { set: { clientId: event.data.toClientId } })];
      default:
        return unhandled(event);
    }
  },
});

export interface DocumentViewCounts {
  shared: number;
  /** Opened at least once by a portal user. */
  viewed: number;
  notViewed: number;
  /** Openings in all. */
  views: number;
  /** From sharing to the first opening, viewed documents only (nearest-rank). */
  timeToFirstViewMedianSeconds: number | null;
  timeToFirstViewP90Seconds: number | null;
}

export interface DocumentsReportItem extends DocumentViewCounts {
  clientId: string;
  kind: DocumentKind;
}

export const DOCUMENTS_REPORT_COLUMNS: (keyof DocumentsReportItem)[] = [
  'clientId',
  'kind',
  'shared',
  'viewed',
  'notViewed',
  'views',
  'timeToFirstViewMedianSeconds',
  'timeToFirstViewP90Seconds',
];

class ViewCounter {
  readonly counts = { shared: 0, viewed: 0, notViewed: 0, views: 0 };
  private readonly durations: number[] = [];

  add(sharedAt: string, firstViewedAt: string | null, views: number): void {
    this.counts.shared += 1;
    this.counts.views += views;
    if (firstViewedAt === null) {
      this.counts.notViewed += 1;
      return;
    }
    this.counts.viewed += 1;
    this.durations.push(Date.parse(firstViewedAt) - Date.parse(sharedAt));
  }

  result(): DocumentViewCounts {
    const { medianSeconds, p90Seconds } = durationStatistics(this.durations);
    return { ...this.counts, timeToFirstViewMedianSeconds: medianSeconds, timeToFirstViewP90Seconds: p90Seconds };
  }
}

/**
 * Shared vs viewed documents per company and kind, and the time to the first view. `from`/`to`
 * keep documents shared on those local dates; `portalId` the companies whose contacts have
 * access to that portal.
 */
export async function documentsReport(readStore: ReadStore, query: ReportQuery, budget = new ScanBudget()): Promise<Report<DocumentsReportItem, DocumentViewCounts>> {
  const calendar = new LocalCalendar(query.timeZone);
  const companies = query.portalId ? await companiesOfPortal(readStore, query.organizationId, query.portalId, budget) : null;
  const where: Record<string, Scalar> = { organizationId: query.organizationId };
  if (query.clientId) where.clientId = query.clientId;
  const months = query.from && query.to ? partitionsFor(utcMonthsOfLocalDates(query.from, query.to)) : null;

  const groups = new Map<string, { clientId: string; kind: DocumentKind; counter: ViewCounter }>();
  const totals = new ViewCounter();
  for await (const row of scanMonths(readStore, REPORT_DOCUMENTS_COLLECTION, where, months, budget)) {
    if (typeof row.sharedAt !== 'string') continue; // viewed, but its sharing not projected (cannot happen in order)
    if (companies && !companies.has(row.clientId)) continue;
    if (!instantInRange(row.sharedAt, calendar, query)) continue;
    const kind = row.kind;
    const key = `${row.clientId}|${kind}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { clientId: row.clientId, kind, counter: new ViewCounter() }));
    const firstViewedAt = row.firstViewedAt ?? null;
    const views = row.views ?? 0;
    group.counter.add(row.sharedAt, firstViewedAt, views);
    totals.add(row.sharedAt, firstViewedAt, views);
  }
  const items = [...groups.values()]
    .map(({ clientId, kind, counter }) => ({ clientId, kind, ...counter.result() }))
    .sort(byKeys((i) => i.clientId, (i) => i.kind));
  return { items, totals: totals.result() };
}
