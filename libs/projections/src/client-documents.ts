import type { DocumentAudience, DocumentKind, InvoiceStatus, QuoteStatus, ShiftStatus, StaffMember, TimesheetEntry, TimesheetStatus } from '@app/domain';
import { collection, CollectionSpec } from './read-store';

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

/** What every kind's row has (docs/read-models.md, `client_documents_v2`). */
interface ClientDocumentFields {
  /** The document's id (its stream is `<kind>-<id>`). */
  id: string;
  organizationId: string;
  /** The company it is filed under (follows a move). */
  clientId: string;
  /** The contact it is addressed to or that created it; null: the whole company. */
  contactId: string | null;
  projectId: string | null;
  /** The organization's own number (quote or invoice number), where the kind has one. */
  number: string | null;
  title: string;
  /** Awaiting the client's decision or action (an invoice: its payment). */
  pending: boolean;
  /** In the approvals queue: a timesheet or a quote awaiting the client's decision (v2). */
  awaitsApproval: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ShiftSummary {
  staffMember: StaffMember;
  start: string;
  end: string;
  /** The start as a UTC instant (sorts and compares across offsets). */
  startsAt: string;
  endsAt: string;
  location: string | null;
  role: string | null;
}

export interface TimesheetSummary {
  staffMember: StaffMember;
  timeZone: string;
  entries: TimesheetEntry[];
  totalMinutes: number;
  firstDate: string;
  lastDate: string;
  note: string | null;
  /** 1 for the first submission, +1 per corrected resubmission. */
  version: number;
}

/** What a quote's or an invoice's row shows of it; amounts are decimal strings in its currency. */
export interface QuoteInvoiceSummary {
  currency: string;
  issueDate: string;
  subtotal: string;
  tax: string;
  total: string;
  lineCount: number;
  link: string;
}

/** A quote's decision, once accepted, declined or withdrawn. */
export interface QuoteDecision {
  status: Exclude<QuoteStatus, 'pending'>;
  at: string;
  /** The contact who decided; null: staff withdrew it. */
  contactId: string | null;
  reason: string | null;
}

export interface ShiftRow extends ClientDocumentFields {
  kind: 'shift';
  number: null;
  status: ShiftStatus;
  /** Why it was cancelled. */
  statusReason: string | null;
  summary: ShiftSummary;
}

export interface TimesheetRow extends ClientDocumentFields {
  kind: 'timesheet';
  number: null;
  status: TimesheetStatus;
  /** Why it was rejected. */
  statusReason: string | null;
  summary: TimesheetSummary;
}

export interface QuoteRow extends ClientDocumentFields {
  kind: 'quote';
  number: string;
  status: QuoteStatus;
  summary: QuoteInvoiceSummary & { validUntil: string };
  decision: QuoteDecision | null;
}

export interface InvoiceRow extends ClientDocumentFields {
  kind: 'invoice';
  number: string;
  status: InvoiceStatus;
  summary: QuoteInvoiceSummary & { dueDate: string };
  /** Paid so far and left to pay, decimal strings. */
  paid: string;
  balance: string;
  lastPaymentAt: string | null;
  /** When it was paid in full. */
  paidAt: string | null;
}

/** One document shared with a client company: a row of its kind. */
export type ClientDocumentRow = ShiftRow | TimesheetRow | QuoteRow | InvoiceRow;

/** The row of a kind of document. */
export type ClientDocumentRowOf<K extends DocumentKind> = Extract<ClientDocumentRow, { kind: K }>;

/** Whether a row is of that kind (and so has that kind's fields). */
export function isDocumentOfKind<K extends DocumentKind>(row: ClientDocumentRow, kind: K): row is ClientDocumentRowOf<K> {
  return row.kind === kind;
}

/** Whom a row's document is for: its company, and its contact (null: the whole company). */
export function audienceOf(row: ClientDocumentRow): DocumentAudience {
  return { clientId: row.clientId, contactId: row.contactId ?? null };
}

export const CLIENT_DOCUMENTS_COLLECTION = collection<ClientDocumentRow>('client_documents_v2');

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
