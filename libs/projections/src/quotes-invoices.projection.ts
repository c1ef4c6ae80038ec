import { RecordedEvent } from '@app/event-store';
import { formatAmount } from '@app/domain';
import { CLIENT_DOCUMENTS_COLLECTION } from './client-documents';
import { ProjectionWrite } from './read-store';

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
export function projectQuoteOrInvoice(event: RecordedEvent): ProjectionWrite[] {
  const data = event.data as Record<string, any>;
  const at = event.metadata.occurredAt;
  const upsert = (id: string, set: Record<string, unknown>): ProjectionWrite[] => [
    { op: 'upsert', collection: CLIENT_DOCUMENTS_COLLECTION, id, position: event.position, set: { ...set, updatedAt: at }, setOnInsert: { createdAt: at } },
  ];
  const shared = (kind: 'quote' | 'invoice', id: string, extra: Record<string, unknown>, summary: Record<string, unknown>) =>
    upsert(id, {
      organizationId: event.metadata.organizationId,
      kind,
      clientId: data.clientId,
      contactId: data.contactId ?? null,
      projectId: data.projectId ?? null,
      number: data.number,
      title: data.title,
      status: kind === 'quote' ? 'pending' : 'open',
      pending: true,
      summary: {
        currency: data.currency,
        issueDate: data.issueDate,
        subtotal: formatAmount(data.subtotal, data.currency),
        tax: formatAmount(data.tax, data.currency),
        total: formatAmount(data.total, data.currency),
        lineCount: data.lines.length,
        link: data.link,
        ...summary,
      },
      ...extra,
    });

  switch (event.type) {
    case 'QuoteShared':
      return shared('quote', data.quoteId, { decision: null }, { validUntil: data.validUntil });
    case 'QuoteAccepted':
      return upsert(data.quoteId, { status: 'accepted', pending: false, decision: { status: 'accepted', at, contactId: data.contactId, reason: null } });
    case 'QuoteDeclined':
      return upsert(data.quoteId, { status: 'declined', pending: false, decision: { status: 'declined', at, contactId: data.contactId, reason: data.reason } });
    case 'QuoteWithdrawn':
      return upsert(data.quoteId, { status: 'withdrawn', pending: false, decision: { status: 'withdrawn', at, contactId: null, reason: data.reason } });
    case 'InvoiceShared':
      return shared(
        'invoice',
        data.invoiceId,
        { paid: formatAmount(0, data.currency), balance: formatAmount(data.total, data.currency), lastPaymentAt: null, paidAt: null },
        { dueDate: data.dueDate },
      );
    case 'InvoicePaymentRecorded':
      return upsert(data.invoiceId, { paid: formatAmount(data.paidTotal, data.currency), balance: formatAmount(data.balance, data.currency), lastPaymentAt: at });
    case 'InvoicePaid':
      return upsert(data.invoiceId, { status: 'paid', pending: false, paidAt: at });
    default:
      return [];
  }
}
