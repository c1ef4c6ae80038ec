import { isQuoteExpired } from '@app/domain';
import { projectionOf, SomeRowFields, unhandled, upsert } from '../projection';
import { collection, ProjectionWrite, ReadStore, Scalar } from '../read-store';
import { isoWeekOf, LocalCalendar, utcMonthOf, utcMonthsOfLocalDates } from './calendar';
import { companiesOfPortal } from './portal-access.report';
import { byKeys, inRange, partitionsFor, Report, ReportQuery, scanMonths, ScanBudget } from './report-query';
import { durationStatistics } from './statistics';

export type ApprovalKind = 'timesheet' | 'quote';
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'withdrawn';

/** A timesheet or a quote and what its client decided (docs/read-models.md, `report_approvals_v1`). */
export interface ApprovalReportRow {
  id: string;
  organizationId: string;
  kind: ApprovalKind;
  /** The company it is filed under now. */
  clientId: string;
  /** First submitted (a quote: shared). */
  submittedAt: string;
  /** `YYYY-MM` of `submittedAt` in UTC: the partition a date range reads. */
  month: string;
  /** Last (re)submitted: what the decision answers. */
  lastSubmittedAt: string;
  status: ApprovalStatus;
  /** When the client decided; null while pending or when withdrawn. */
  decidedAt: string | null;
  /** Timesheet: minutes worked, as last submitted. */
  minutes: number | null;
  /** Quote: its last valid day. */
  validUntil: string | null;
}

export const REPORT_APPROVALS_COLLECTION = collection<ApprovalReportRow>('report_approvals_v1');

/**
 * What clients decide: one row per timesheet and per quote, with when it was first submitted
 * (a quote: shared), when it was last (re)submitted, its status, and when that was decided.
 * Rows are partitioned by the UTC month of the first submission (`month`), so a report over a
 * date range reads only those months. Every write is an upsert guarded by position.
 */
export const approvalsReportProjection = projectionOf({
  name: 'report_approvals_v1',
  eventTypes: [
    'TimesheetSubmitted',
    'TimesheetResubmitted',
    'TimesheetApproved',
    'TimesheetRejected',
    'QuoteShared',
    'QuoteAccepted',
    'QuoteDeclined',
    'QuoteWithdrawn',
    'DocumentMovedToClient',
  ],
  collections: [
    {
      name: REPORT_APPROVALS_COLLECTION,
      indexes: [['organizationId'], ['organizationId', 'month'], ['organizationId', 'clientId'], ['organizationId', 'clientId', 'month']],
    },
  ],

  project(event) {
    const at = event.metadata.occurredAt;
    const row = (id: string, set: SomeRowFields<ApprovalReportRow>): ProjectionWrite[] => [upsert(REPORT_APPROVALS_COLLECTION, id, event.position, { set })];
    const submitted = (id: string, kind: ApprovalKind, clientId: string, fields: { minutes: number | null; validUntil: string | null }) =>
      row(id, {
        organizationId: event.metadata.organizationId,
        kind,
        clientId,
        submittedAt: at,
        month: utcMonthOf(at),
        lastSubmittedAt: at,
        status: 'pending',
        decidedAt: null,
        ...fields,
      });
    switch (event.type) {
      case 'TimesheetSubmitted':
        return submitted(event.data.timesheetId, 'timesheet', event.data.clientId, { minutes: event.data.totalMinutes, validUntil: null });
      case 'TimesheetResubmitted':
        return row(event.data.timesheetId, { lastSubmittedAt: at, status: 'pending', decidedAt: null, minutes: event.data.totalMinutes });
      case 'TimesheetApproved':
        return row(event.data.timesheetId, { status: 'approved', decidedAt: at });
      case 'TimesheetRejected':
        return row(event.data.timesheetId, { status: 'rejected', decidedAt: at });
      case 'QuoteShared':
        return submitted(event.data.quoteId, 'quote', event.data.clientId, { minutes: null, validUntil: event.data.validUntil });
      case 'QuoteAccepted':
        return row(event.data.quoteId, { status: 'approved', decidedAt: at });
      case 'QuoteDeclined':
        return row(event.data.quoteId, { status: 'rejected', decidedAt: at });
      case 'QuoteWithdrawn':
        // Withdrawn by staff: no client decision to time.
        return row(event.data.quoteId, { status: 'withdrawn', decidedAt: null });
      case 'DocumentMovedToClient': {
        const data = event.data;
        return data.kind === 'timesheet' || data.kind === 'quote' ? row(data.documentId, { clientId: data.toClientId }) : [];
      }
      default:
        return unhandled(event);
    }
  },
});

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

  add(row: ApprovalReportRow, outcome: keyof Pick<ApprovalCounts, 'approved' | 'rejected' | 'pending' | 'expired' | 'withdrawn'>): void {
    this.counts.submitted += 1;
    this.counts[outcome] += 1;
    if ((outcome === 'approved' || outcome === 'rejected') && typeof row.decidedAt === 'string') {
      this.durations.push(Date.parse(row.decidedAt) - Date.parse(row.lastSubmittedAt));
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
    if (companies && !companies.has(row.clientId)) continue;
    const date = calendar.dateOf(row.submittedAt);
    if (!inRange(date, query)) continue;
    const outcome = row.status === 'pending' && row.kind === 'quote' && row.validUntil !== null && expired(row.validUntil) ? 'expired' : row.status;
    const { week, weekStart } = isoWeekOf(date);
    const kind = row.kind;
    const key = `${week}|${row.clientId}|${kind}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { week, weekStart, clientId: row.clientId, kind, counter: new ApprovalCounter() }));
    group.counter.add(row, outcome);
    totals.add(row, outcome);
  }
  const items = [...groups.values()]
    .map(({ week, weekStart, clientId, kind, counter }) => ({ week, weekStart, clientId, kind, ...counter.result() }))
    .sort(byKeys((i) => i.week, (i) => i.clientId, (i) => i.kind));
  return { items, totals: totals.result() };
}
