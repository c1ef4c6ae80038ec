import { formatAmount, isInvoiceOverdue, type InvoiceEvent } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { Projection } from '../projection';
import { Doc, ProjectionWrite, ReadStore, Scalar } from '../read-store';
import { monthsBetween } from './calendar';
import { companiesOfPortal } from './portal-access.report';
import { byKeys, inRange, partitionsFor, Report, ReportQuery, scanMonths, ScanBudget } from './report-query';

export const REPORT_INVOICES_COLLECTION = 'report_invoices_v1';

/**
 * Invoices and their payments: one row per invoice with its currency, total and amount paid
 * (integer minor units, never floats), issue and due dates, and status. Partitioned by the
 * month of the issue date (`month`, a calendar date already in the organization's time zone).
 * Every write is an upsert guarded by position; amounts are overwritten with the totals the
 * events carry, never added up, so a replay changes nothing.
 */
export const invoicesReportProjection: Projection = {
  name: 'report_invoices_v1',
  eventTypes: [...(['InvoiceShared', 'InvoicePaymentRecorded', 'InvoicePaid'] satisfies InvoiceEvent['type'][]), 'DocumentMovedToClient'],
  collections: [
    {
      name: REPORT_INVOICES_COLLECTION,
      indexes: [['organizationId'], ['organizationId', 'month'], ['organizationId', 'clientId'], ['organizationId', 'clientId', 'month']],
    },
  ],

  project(event: RecordedEvent): ProjectionWrite[] {
    const data = event.data as Record<string, any>;
    const upsert = (set: Record<string, unknown>): ProjectionWrite[] => [
      { op: 'upsert', collection: REPORT_INVOICES_COLLECTION, id: data.invoiceId ?? data.documentId, position: event.position, set },
    ];
    switch (event.type) {
      case 'InvoiceShared':
        return upsert({
          organizationId: event.metadata.organizationId,
          clientId: data.clientId,
          currency: data.currency,
          total: data.total,
          paid: 0,
          status: 'open',
          issueDate: data.issueDate,
          dueDate: data.dueDate,
          month: (data.issueDate as string).slice(0, 7),
        });
      case 'InvoicePaymentRecorded':
        return upsert({ paid: data.paidTotal });
      case 'InvoicePaid':
        return upsert({ status: 'paid', paid: data.paidTotal });
      case 'DocumentMovedToClient':
        return data.kind === 'invoice' ? upsert({ clientId: data.toClientId }) : [];
      default:
        return [];
    }
  },
};

export interface InvoiceCounts {
  issued: number;
  /** Paid in full. */
  paid: number;
  /** Open with some payment recorded. */
  partlyPaid: number;
  /** Open with no payment recorded. */
  unpaid: number;
  /** Open past the due date (end of that day, organization's time zone); partly paid or not. */
  overdue: number;
}

/** Sums in one currency, as decimal strings with the currency's fraction digits. */
export interface InvoiceAmounts {
  issuedAmount: string;
  paidAmount: string;
  /** Still to be paid on the open invoices. */
  outstandingAmount: string;
  /** Still to be paid on the overdue invoices. */
  overdueAmount: string;
}

export interface InvoicesReportItem extends InvoiceCounts, InvoiceAmounts {
  clientId: string;
  currency: string;
}

export interface InvoicesReportTotals extends InvoiceCounts {
  /** Amounts never add up across currencies: one entry per currency. */
  amounts: (InvoiceAmounts & { currency: string })[];
}

export const INVOICES_REPORT_COLUMNS: (keyof InvoicesReportItem)[] = [
  'clientId',
  'currency',
  'issued',
  'paid',
  'partlyPaid',
  'unpaid',
  'overdue',
  'issuedAmount',
  'paidAmount',
  'outstandingAmount',
  'overdueAmount',
];

/** Counts and sums; the sums in minor units as BigInt, so that no total is ever rounded. */
class InvoiceCounter {
  readonly counts: InvoiceCounts = { issued: 0, paid: 0, partlyPaid: 0, unpaid: 0, overdue: 0 };
  private issued = 0n;
  private paid = 0n;
  private outstanding = 0n;
  private overdueSum = 0n;

  add(row: Doc, overdue: boolean): void {
    const total = BigInt(row.total as number);
    const paid = BigInt(row.paid as number);
    this.counts.issued += 1;
    this.issued += total;
    this.paid += paid;
    if (row.status === 'paid') {
      this.counts.paid += 1;
      return;
    }
    if (paid > 0n) this.counts.partlyPaid += 1;
    else this.counts.unpaid += 1;
    this.outstanding += total - paid;
    if (overdue) {
      this.counts.overdue += 1;
      this.overdueSum += total - paid;
    }
  }

  amounts(currency: string): InvoiceAmounts {
    return {
      issuedAmount: formatAmount(this.issued, currency),
      paidAmount: formatAmount(this.paid, currency),
      outstandingAmount: formatAmount(this.outstanding, currency),
      overdueAmount: formatAmount(this.overdueSum, currency),
    };
  }
}

/**
 * Invoices per company and currency: issued, paid, partly paid, unpaid, overdue, with their
 * amounts as decimal strings. `from`/`to` keep invoices issued on those dates; `portalId` the
 * companies whose contacts have access to that portal.
 */
export async function invoicesReport(readStore: ReadStore, query: ReportQuery, budget = new ScanBudget()): Promise<Report<InvoicesReportItem, InvoicesReportTotals>> {
  const companies = query.portalId ? await companiesOfPortal(readStore, query.organizationId, query.portalId, budget) : null;
  const where: Record<string, Scalar> = { organizationId: query.organizationId };
  if (query.clientId) where.clientId = query.clientId;
  const months = query.from && query.to ? partitionsFor(monthsBetween(query.from, query.to)) : null;
  const overdueBy = new Map<string, boolean>(); // per due date: few distinct ones
  const isOverdue = (dueDate: string) => {
    let overdue = overdueBy.get(dueDate);
    if (overdue === undefined) overdueBy.set(dueDate, (overdue = isInvoiceOverdue({ status: 'open', dueDate }, query.now, query.timeZone)));
    return overdue;
  };

  const groups = new Map<string, { clientId: string; currency: string; counter: InvoiceCounter }>();
  const byCurrency = new Map<string, InvoiceCounter>();
  const totals = new InvoiceCounter();
  for await (const row of scanMonths(readStore, REPORT_INVOICES_COLLECTION, where, months, budget)) {
    if (typeof row.currency !== 'string') continue;
    if (companies && !companies.has(row.clientId as string)) continue;
    if (!inRange(row.issueDate as string, query)) continue;
    const overdue = row.status === 'open' && isOverdue(row.dueDate as string);
    const key = `${row.clientId}|${row.currency}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { clientId: row.clientId as string, currency: row.currency, counter: new InvoiceCounter() }));
    let currencyTotals = byCurrency.get(row.currency);
    if (!currencyTotals) byCurrency.set(row.currency, (currencyTotals = new InvoiceCounter()));
    group.counter.add(row, overdue);
    currencyTotals.add(row, overdue);
    totals.add(row, overdue);
  }
  const items = [...groups.values()]
    .map(({ clientId, currency, counter }) => ({ clientId, currency, ...counter.counts, ...counter.amounts(currency) }))
    .sort(byKeys((i) => i.clientId, (i) => i.currency));
  const amounts = [...byCurrency.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([currency, counter]) => ({ currency, ...counter.amounts(currency) }));
  return { items, totals: { ...totals.counts, amounts } };
}
