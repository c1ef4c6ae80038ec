import { EventOfType, formatAmount } from '@app/domain';
import { CLIENT_DOCUMENTS_COLLECTION, InvoiceRow, QuoteRow } from './client-documents';
import { RecordedEventOf, SomeRowFields, unhandled, upsert } from './projection';
import { ProjectionWrite } from './read-store';

/** The quote and invoice events the per-client document list follows. */
export const QUOTE_INVOICE_EVENT_TYPES = ['QuoteShared', 'QuoteAccepted', 'QuoteDeclined', 'QuoteWithdrawn', 'InvoiceShared', 'InvoicePaymentRecorded', 'InvoicePaid'] as const;

/**
 * Quotes and invoices in the per-client document list (`client_documents_v2`, rows of kinds
 * `quote` and `invoice`). Amounts are shown as decimal strings in the document's currency.
 *
 * Beside the shared row fields, a quote row carries `decision` ({status, at, contactId,
 * reason} once accepted, declined or withdrawn; else null) and an invoice row `paid`,
 * `balance` (decimal strings), `lastPaymentAt` and `paidAt` (when paid in full). `summary`
 * holds what does not change after sharing. Every write is an upsert guarded by position.
 *
 * A plain handler, not a projection: the one projection of the collection,
 * `clientDocumentsProjection` (client-documents.projection.ts), delegates quote and invoice
 * events here, so that rebuilding it rebuilds every kind's rows together.
 */
export function projectQuoteOrInvoice(event: RecordedEventOf<(typeof QUOTE_INVOICE_EVENT_TYPES)[number]>): ProjectionWrite[] {
  const at = event.metadata.occurredAt;
  const row = (id: string, set: SomeRowFields<QuoteRow> | SomeRowFields<InvoiceRow>): ProjectionWrite[] => [
    upsert(CLIENT_DOCUMENTS_COLLECTION, id, event.position, { set: { ...set, updatedAt: at }, setOnInsert: { createdAt: at } }),
  ];
  /** What a quote's and an invoice's rows have alike when shared. */
  const shared = <K extends 'quote' | 'invoice'>(kind: K, status: K extends 'quote' ? 'pending' : 'open', data: EventOfType<'QuoteShared' | 'InvoiceShared'>['data']) => ({
    organizationId: event.metadata.organizationId,
    kind,
    clientId: data.clientId,
    contactId: data.contactId ?? null,
    projectId: data.projectId ?? null,
    number: data.number,
    title: data.title,
    status,
    pending: true,
    summary: {
      currency: data.currency,
      issueDate: data.issueDate,
      subtotal: formatAmount(data.subtotal, data.currency),
      tax: formatAmount(data.tax, data.currency),
      total: formatAmount(data.total, data.currency),
      lineCount: data.lines.length,
      link: data.link,
    },
  });

  switch (event.type) {
    case 'QuoteShared': {
      const data = event.data;
      const quote = shared('quote', 'pending', data);
      return row(data.quoteId, { ...quote, summary: { ...quote.summary, validUntil: data.validUntil }, decision: null });
    }
    case 'QuoteAccepted':
      return row(event.data.quoteId, { status: 'accepted', pending: false, decision: { status: 'accepted', at, contactId: event.data.contactId, reason: null } });
    case 'QuoteDeclined':
      return row(event.data.quoteId, { status: 'declined', pending: false, decision: { status: 'declined', at, contactId: event.data.contactId, reason: event.data.reason } });
    case 'QuoteWithdrawn':
      return row(event.data.quoteId, { status: 'withdrawn', pending: false, decision: { status: 'withdrawn', at, contactId: null, reason: event.data.reason } });
    case 'InvoiceShared': {
      const data = event.data;
      const invoice = shared('invoice', 'open', data);
      return row(data.invoiceId, {
        ...invoice,
        summary: { ...invoice.summary, dueDate: data.dueDate },
        paid: formatAmount(0, data.currency),
        balance: formatAmount(data.total, data.currency),
        lastPaymentAt: null,
        paidAt: null,
      });
    }
    case 'InvoicePaymentRecorded': {
      const data = event.data;
      return row(data.invoiceId, { paid: formatAmount(data.paidTotal, data.currency), balance: formatAmount(data.balance, data.currency), lastPaymentAt: at });
    }
    case 'InvoicePaid':
      return row(event.data.invoiceId, { status: 'paid', pending: false, paidAt: at });
    default:
      return unhandled(event);
  }
}
