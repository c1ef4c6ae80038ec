import { isQuoteExpired, type QuoteEvent, type TimesheetEvent } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { Projection } from '../projection';
import { Doc, ProjectionWrite, ReadStore, Scalar } from '../read-store';
import { isoWeekOf, LocalCalendar, utcMonthOf, utcMonthsOfLocalDates } from './calendar';
import { companiesOfPortal } from './portal-access.report';
import { byKeys, inRange, partitionsFor, Report, ReportQuery, scanMonths, ScanBudget } from './report-query';
import { durationStatistics } from './statistics';

export const REPORT_APPROVALS_COLLECTION = 'report_approvals_v1';

export type ApprovalKind = 'timesheet' | 'quote';
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'withdrawn';

/**
 * What clients decide: one row per timesheet and per quote, with when it was first submitted
 * (a quote: shared), when it was last (re)submitted, its status, and when that was decided.
 * Rows are partitioned by the UTC month of the first submission (`month`), so a report over a
 * date range reads only those months. Every write is an upsert guarded by position.
 */
export const approvalsReportProjection: Projection = {
  name: 'report_approvals_v1',
  eventTypes: [
    ...(['TimesheetSubmitted', 'TimesheetResubmitted', 'TimesheetApproved', 'TimesheetRejected'] satisfies TimesheetEvent['type'][]),
    ...(['QuoteShared', 'QuoteAccepted', 'QuoteDeclined', 'QuoteWithdrawn'] satisfies QuoteEvent['type'][]),
    'DocumentMovedToClient',
  ],
  collections: [
    {
      name: REPORT_APPROVALS_COLLECTION,
      indexes: [['organizationId'], ['organizationId', 'month'], ['organizationId', 'clientId'], ['organizationId', 'clientId', 'month']],
    },
  ],

  project(event: RecordedEvent): ProjectionWrite[] {
    const data = event.data as Record<string, any>;
    const at = event.metadata.occurredAt;
    const upsert = (id: string, set: Record<string, unknown>): ProjectionWrite[] => [
      { op: 'upsert', collection: REPORT_APPROVALS_COLLECTION, id, position: event.position, set },
    ];
    const submitted = (id: string, kind: ApprovalKind, fields: { minutes: number | null; validUntil: string | null }) =>
      upsert(id, {
        organizationId: event.metadata.organizationId,
        kind,
        clientId: data.clientId,
        submittedAt: at,
        month: utcMonthOf(at),
        lastSubmittedAt: at,
        status: 'pending',
        decidedAt: null,
        ...fields,
      });
    switch (event.type) {
      case 'TimesheetSubmitted':
        return submitted(data.timesheetId, 'timesheet', { minutes: data.totalMinutes, validUntil: null });
      case 'TimesheetResubmitted':
        return upsert(data.timesheetId, { lastSubmittedAt: at, status: 'pending', decidedAt: null, minutes: data.totalMinutes });
      case 'TimesheetApproved':
        return upsert(data.timesheetId, { status: 'approved', decidedAt: at });
      case 'TimesheetRejected':
        return upsert(data.timesheetId, { status: 'rejected', decidedAt: at });
      case 'QuoteShared':
        return submitted(data.quoteId, 'quote', { minutes: null, validUntil: data.validUntil });
      case 'QuoteAccepted':
        return upsert(data.quoteId, { status: 'approved', decidedAt: at });
      case 'QuoteDeclined':
        return upsert(data.quoteId, { status: 'rejected', decidedAt: at });
      case 'QuoteWithdrawn':
        // Withdrawn by staff: no client decision to time.
        return upsert(data.quoteId, { status: 'withdrawn', decidedAt: null });
      case 'DocumentMovedToClient':
        return data.kind === 'timesheet' || data.kind === 'quote' ? upsert(data.documentId, { clientId: data.toClientId }) : [];
      default:
        return [];
    }
  },
};

export interface ApprovalCounts {
  /** Timesheets submitted and quotes shared (= approved + rejected + pending + expired + withdrawn). */
  submitted: number;
  /** Timesheets approved, quotes accepted. */
  approved: number;
  /** Timesheets rejected (and not resubmitted since), quotes declined. */
  rejected: number;
  /** Awaiting the client's decision. */
  pending: number;
  /** Quotes left undecided past their last valid day (organization's time zone). */
  expired: number;
  /** Quotes withdrawn by staff before a decision. */
  withdrawn: number;
  /** From the (re)submission a decision answered to the decision (nearest-rank). */
  timeToDecideMedianSeconds: number | null;
  timeToDecideP90Seconds: number | null;
  /** Worked minutes of the approved timesheets. */
  minutesApproved: number;
  /** The same in hours, a decimal string with two fraction digits (rounded half up). */
  hoursApproved: string;
}

export interface ApprovalsReportItem extends ApprovalCounts {
  /** ISO week of the first submission, in the organization's time zone. */
  week: string;
  weekStart: string;
  clientId: string;
  kind: ApprovalKind;
}

export const APPROVALS_REPORT_COLUMNS: (keyof ApprovalsReportItem)[] = [
  'week',
  'weekStart',
  'clientId',
  'kind',
  'submitted',
  'approved',
  'rejected',
  'pending',
  'expired',
  'withdrawn',
  'timeToDecideMedianSeconds',
  'timeToDecideP90Seconds',
  'minutesApproved',
  'hoursApproved',
];

/** Minutes as hours with two fraction digits, rounded half up, computed in integers. */
export function hoursOf(minutes: number): string {
  const hundredths = Math.floor((minutes * 100 + 30) / 60);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

class ApprovalCounter {
  readonly counts = { submitted: 0, approved: 0, rejected: 0, pending: 0, expired: 0, withdrawn: 0, minutesApproved: 0 };
  private readonly durations: number[] = [];

  add(row: Doc, outcome: keyof Pick<ApprovalCounts, 'approved' | 'rejected' | 'pending' | 'expired' | 'withdrawn'>): void {
    this.counts.submitted += 1;
    this.counts[outcome] += 1;
    if ((outcome === 'approved' || outcome === 'rejected') && typeof row.decidedAt === 'string') {
      this.durations.push(Date.parse(row.decidedAt) - Date.parse(row.lastSubmittedAt as string));
    }
    if (outcome === 'approved' && typeof row.minutes === 'number') this.counts.minutesApproved += row.minutes;
  }

  result(): ApprovalCounts {
    const { medianSeconds, p90Seconds } = durationStatistics(this.durations);
    const { minutesApproved, ...counts } = this.counts;
    return { ...counts, timeToDecideMedianSeconds: medianSeconds, timeToDecideP90Seconds: p90Seconds, minutesApproved, hoursApproved: hoursOf(minutesApproved) };
  }
}

/**
 * Timesheets and quotes per company, kind and ISO week of their first submission (organization's
 * time zone): submitted, approved, rejected, pending, expired, withdrawn; time to decide; hours
 * approved. `portalId` keeps the companies whose contacts have access to that portal.
 */
export async function approvalsReport(readStore: ReadStore, query: ReportQuery, budget = new ScanBudget()): Promise<Report<ApprovalsReportItem, ApprovalCounts>> {
  const calendar = new LocalCalendar(query.timeZone);
  const companies = query.portalId ? await companiesOfPortal(readStore, query.organizationId, query.portalId, budget) : null;
  const where: Record<string, Scalar> = { organizationId: query.organizationId };
  if (query.clientId) where.clientId = query.clientId;
  const months = query.from && query.to ? partitionsFor(utcMonthsOfLocalDates(query.from, query.to)) : null;

  const groups = new Map<string, { week: string; weekStart: string; clientId: string; kind: ApprovalKind; counter: ApprovalCounter }>();
  const totals = new ApprovalCounter();
  const expiry = new Map<string, boolean>(); // per last valid day: few distinct ones
  const expired = (validUntil: string) => {
    let lapsed = expiry.get(validUntil);
    if (lapsed === undefined) expiry.set(validUntil, (lapsed = isQuoteExpired(validUntil, query.now, query.timeZone)));
    return lapsed;
  };
  for await (const row of scanMonths(readStore, REPORT_APPROVALS_COLLECTION, where, months, budget)) {
    if (typeof row.submittedAt !== 'string') continue; // moved, but its submission not projected (cannot happen in order)
    if (companies && !companies.has(row.clientId as string)) continue;
    const date = calendar.dateOf(row.submittedAt);
    if (!inRange(date, query)) continue;
    const outcome = row.status === 'pending' && row.kind === 'quote' && expired(row.validUntil as string) ? 'expired' : (row.status as ApprovalStatus);
    const { week, weekStart } = isoWeekOf(date);
    const kind = row.kind as ApprovalKind;
    const key = `${week}|${row.clientId}|${kind}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { week, weekStart, clientId: row.clientId as string, kind, counter: new ApprovalCounter() }));
    group.counter.add(row, outcome);
    totals.add(row, outcome);
  }
  const items = [...groups.values()]
    .map(({ week, weekStart, clientId, kind, counter }) => ({ week, weekStart, clientId, kind, ...counter.result() }))
    .sort(byKeys((i) => i.week, (i) => i.clientId, (i) => i.kind));
  return { items, totals: totals.result() };
}
