import { formatAmount, InvoiceStatus, isInvoiceOverdue } from '@app/domain';
import { projectionOf, SomeRowFields, unhandled, upsert } from '../projection';
import { collection, ProjectionWrite, ReadStore, Scalar } from '../read-store';
import { monthsBetween } from './calendar';
import { companiesOfPortal } from './portal-access.report';
import { byKeys, inRange, partitionsFor, Report, ReportQuery, scanMonths, ScanBudget } from './report-query';

/** An invoice and what was paid of it (docs/read-models.md, `report_invoices_v1`). */
export interface InvoiceReportRow {
  id: string;
  organizationId: string;
  /** The company it is filed under now. */
  clientId: string;
  currency: string;
  /** Integer minor units of the currency. */
  total: number;
  paid: number;
  status: InvoiceStatus;
  /** Local dates. */
  issueDate: string;
  dueDate: string;
  /** `YYYY-MM` of `issueDate`. */
  month: string;
}

export const REPORT_INVOICES_COLLECTION = collection<InvoiceReportRow>('report_invoices_v1');

/**
 * Invoices and their payments: one row per invoice with its currency, total and amount paid
 * (integer minor units, never floats), issue and due dates, and status. Partitioned by the
 * month of the issue date (`month`, a calendar date already in the organization's time zone).
 * Every write is an upsert guarded by position; amounts are overwritten with the totals the
 * events carry, never added up, so a replay changes nothing.
 */
export const invoicesReportProjection = projectionOf({
  name: 'report_invoices_v1',
  eventTypes: ['InvoiceShared', 'InvoicePaymentRecorded', 'InvoicePaid', 'DocumentMovedToClient'],
  collections: [
    {
      name: REPORT_INVOICES_COLLECTION,
      indexes: [['organizationId'], ['organizationId', 'month'], ['organizationId', 'clientId'], ['organizationId', 'clientId', 'month']],
    },
  ],

  project(event) {
    const invoice = (id: string, set: SomeRowFields<InvoiceReportRow>): ProjectionWrite[] => [upsert(REPORT_INVOICES_COLLECTION, id, event.position, { set })];
    switch (event.type) {
      case 'InvoiceShared': {
        const data = event.data;
        return invoice(data.invoiceId, {
          organizationId: event.metadata.organizationId,
          clientId: data.clientId,
          currency: data.currency,
          total: data.total,
          paid: 0,
          status: 'open',
          issueDate: data.issueDate,
          dueDate: data.dueDate,
          month: data.issueDate.slice(0, 7),
        });
      }
      case 'InvoicePaymentRecorded':
        return invoice(event.data.invoiceId, { paid: event.data.paidTotal });
      case 'InvoicePaid':
        return invoice(event.data.invoiceId, { status: 'paid', paid: event.data.paidTotal });
      case 'DocumentMovedToClient':
        return event.data.kind === 'invoice' ? invoice(event.data.documentId, { clientId: event.data.toClientId }) : [];
      default:
        return unhandled(event);
    }
  },
});

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

  add(row: InvoiceReportRow, overdue: boolean): void {
    const total = BigInt(row.total);
    const paid = BigInt(row.paid);
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
    if (companies && !companies.has(row.clientId)) continue;
    if (!inRange(row.issueDate, query)) continue;
    const overdue = row.status === 'open' && isOverdue(row.dueDate);
    const key = `${row.clientId}|${row.currency}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { clientId: row.clientId, currency: row.currency, counter: new InvoiceCounter() }));
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
