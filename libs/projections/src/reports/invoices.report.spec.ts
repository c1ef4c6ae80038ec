import { documentStream, invoice } from '@app/domain';
import { History } from '../testing/history';
import { reportSpec } from '../testing/report-spec';
import { invoicesReport, invoicesReportProjection, InvoicesReportItem } from './invoices.report';

const ORG = 'org-tokyo';
const TZ = 'Asia/Tokyo';
const [C1, C2] = ['client-1', 'client-2'];

/** Invoices shared and paid through the invoice decider. */
class Invoices {
  readonly history = new History(ORG);

  share(id: string, clientId: string, currency: string, unitPrice: string, dates: { issueDate: string; dueDate: string }): this {
    const at = `${dates.issueDate}T01:00:00Z`;
    const lines = [{ description: 'Work', quantity: '1', unitPrice }];
    this.history.run(invoice, documentStream('invoice', id), { type: 'ShareInvoice', invoiceId: id, clientId, number: `I-${id}`, link: 'https://erp.example/i', currency, lines, ...dates }, { at });
    return this;
  }
  pay(id: string, amount: string, at: string): this {
    this.history.run(
      invoice,
      documentStream('invoice', id),
      { type: 'RecordInvoicePayment', paymentId: `${id}-${at}`, amount, method: 'bank-transfer', reference: 'TRX', contactId: null, now: at, timeZone: TZ },
      { at },
    );
    return this;
  }
}

function march(): Invoices {
  return new Invoices()
    .share('i1', C1, 'BRL', '1000.00', { issueDate: '2026-03-01', dueDate: '2026-03-31' })
    .pay('i1', '1000.00', '2026-03-05T00:00:00Z') // paid in full
    .share('i2', C1, 'BRL', '500.50', { issueDate: '2026-03-02', dueDate: '2026-03-10' })
    .pay('i2', '100.25', '2026-03-05T00:00:00Z') // partly paid, overdue after the 10th
    .share('i3', C1, 'JPY', '12000', { issueDate: '2026-03-03', dueDate: '2026-03-31' }) // unpaid, not due
    .share('i4', C2, 'BHD', '1.234', { issueDate: '2026-03-04', dueDate: '2026-03-10' }) // unpaid, overdue
    .share('i5', C2, 'BHD', '0', { issueDate: '2026-04-01', dueDate: '2026-04-30' }); // nothing to pay: paid at once
}

const spec = reportSpec(invoicesReportProjection, invoicesReport);
const query = (extra: Partial<Parameters<typeof invoicesReport>[1]> = {}) => ({ organizationId: ORG, timeZone: TZ, now: new Date('2026-03-20T00:00:00Z'), ...extra });

describe('invoices report', () => {
  it('counts issued, paid, partly paid, unpaid and overdue invoices per company and currency, with amounts as decimal strings', async () => {
    const report = await spec.given(march().history.events).when(query());
    expect(report.items).toEqual<InvoicesReportItem[]>([
      { clientId: C1, currency: 'BRL', issued: 2, paid: 1, partlyPaid: 1, unpaid: 0, overdue: 1, issuedAmount: '1500.50', paidAmount: '1100.25', outstandingAmount: '400.25', overdueAmount: '400.25' },
      { clientId: C1, currency: 'JPY', issued: 1, paid: 0, partlyPaid: 0, unpaid: 1, overdue: 0, issuedAmount: '12000', paidAmount: '0', outstandingAmount: '12000', overdueAmount: '0' },
      { clientId: C2, currency: 'BHD', issued: 2, paid: 1, partlyPaid: 0, unpaid: 1, overdue: 1, issuedAmount: '1.234', paidAmount: '0.000', outstandingAmount: '1.234', overdueAmount: '1.234' },
    ]);
    expect(report.totals).toEqual({
      issued: 5,
      paid: 2,
      partlyPaid: 1,
      unpaid: 2,
      overdue: 2,
      amounts: [
        { currency: 'BHD', issuedAmount: '1.234', paidAmount: '0.000', outstandingAmount: '1.234', overdueAmount: '1.234' },
        { currency: 'BRL', issuedAmount: '1500.50', paidAmount: '1100.25', outstandingAmount: '400.25', overdueAmount: '400.25' },
        { currency: 'JPY', issuedAmount: '12000', paidAmount: '0', outstandingAmount: '12000', overdueAmount: '0' },
      ],
    });
  });

  it('counts an invoice overdue from the end of its due date in the organization’s time zone', async () => {
    const given = spec.given(new Invoices().share('i4', C2, 'BHD', '1.234', { issueDate: '2026-03-04', dueDate: '2026-03-10' }).history.events);
    expect((await given.when(query({ now: new Date('2026-03-10T14:59:59Z') }))).totals.overdue).toBe(0); // 23:59:59 in Tokyo
    expect((await given.when(query({ now: new Date('2026-03-10T15:00:00Z') }))).totals.overdue).toBe(1);
  });

  it('adds amounts beyond a safe integer of minor units without rounding', async () => {
    const largest = '90071992547409.91'; // Number.MAX_SAFE_INTEGER cents
    const given = spec.given(
      new Invoices()
        .share('a', C1, 'USD', largest, { issueDate: '2026-03-01', dueDate: '2026-03-31' })
        .share('b', C1, 'USD', largest, { issueDate: '2026-03-01', dueDate: '2026-03-31' }).history.events,
    );
    const report = await given.when(query());
    expect(report.items[0]).toMatchObject({ issuedAmount: '180143985094819.82', outstandingAmount: '180143985094819.82' });
  });

  it('filters by issue date (reading only its months) and company', async () => {
    const given = spec.given(march().history.events);
    expect((await given.when(query({ from: '2026-03-02', to: '2026-03-03' }))).items.map((i) => [i.clientId, i.currency, i.issued])).toEqual([
      [C1, 'BRL', 1],
      [C1, 'JPY', 1],
    ]);
    expect((await given.when(query({ from: '2026-04-01', to: '2026-04-30' }))).totals).toMatchObject({ issued: 1, paid: 1 });
    expect((await given.when(query({ clientId: C2 }))).items.map((i) => i.currency)).toEqual(['BHD']);
    expect((await given.when(query({ organizationId: 'another-org' }))).totals).toEqual({ issued: 0, paid: 0, partlyPaid: 0, unpaid: 0, overdue: 0, amounts: [] });
  });
});
