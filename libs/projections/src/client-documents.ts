import { DocumentKind } from '@app/domain';
import { CollectionSpec } from './read-store';

/**
 * The per-client document list, shared by every kind of document shared with a client
 * company (shifts, timesheets, quotes, invoices): one row per document, written by the
 * projection of its kind. Staff list a client's documents in one place; the portal lists
 * what its company has, per module, and filters by status.
 *
 * One projection owns the collection: `clientDocumentsProjection`
 * (client-documents.projection.ts), which declares its spec and delegates each event to the
 * handler of its kind (`projectShiftOrTimesheet`, `projectQuoteOrInvoice`). A rebuild resets
 * a projection's collections, so two projections writing one collection would let the
 * rebuild of one erase the rows of the other: hence one owner.
 */
export const CLIENT_DOCUMENTS_COLLECTION = 'client_documents_v2';

export interface ClientDocumentRow {
  /** The document's id (its stream is `<kind>-<id>`). */
  id: string;
  organizationId: string;
  kind: DocumentKind;
  clientId: string;
  /** The contact it is addressed to or that created it; null: the whole company. */
  contactId: string | null;
  projectId: string | null;
  /** The organization's own number (quote or invoice number), where the kind has one. */
  number: string | null;
  title: string;
  /** Kind-specific lifecycle state (e.g. quote: pending|accepted|declined|withdrawn). */
  status: string;
  /** Awaiting the client's decision or action (an invoice: its payment). */
  pending: boolean;
  /** In the approvals queue: a timesheet or a quote awaiting the client's decision (v2). */
  awaitsApproval: boolean;
  createdAt: string;
  updatedAt: string;
  /** Kind-specific fields the lists show. */
  summary: Record<string, unknown>;
}

export const CLIENT_DOCUMENTS_SPEC: CollectionSpec = {
  name: CLIENT_DOCUMENTS_COLLECTION,
  indexes: [
    ['organizationId'],
    ['organizationId', 'clientId'],
    ['organizationId', 'kind'],
    ['organizationId', 'kind', 'status'],
    ['organizationId', 'clientId', 'kind'],
    ['organizationId', 'clientId', 'kind', 'status'],
    // A contact's documents for a company (moved to its primary company on dissociation).
    ['organizationId', 'clientId', 'contactId'],
    // The approvals queue, whole and per client.
    ['organizationId', 'awaitsApproval'],
    ['organizationId', 'clientId', 'awaitsApproval'],
  ],
};
