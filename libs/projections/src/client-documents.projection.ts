import { CLIENT_DOCUMENTS_COLLECTION, CLIENT_DOCUMENTS_SPEC } from './client-documents';
import { isEventOf, projectionOf, RecordedEventOf, unhandled, upsert } from './projection';
import { projectQuoteOrInvoice, QUOTE_INVOICE_EVENT_TYPES } from './quotes-invoices.projection';
import { ProjectionWrite } from './read-store';
import { projectShiftOrTimesheet, SHIFT_TIMESHEET_EVENT_TYPES } from './shifts-timesheets.projection';

const CLIENT_DOCUMENT_EVENT_TYPES = [...SHIFT_TIMESHEET_EVENT_TYPES, ...QUOTE_INVOICE_EVENT_TYPES, 'DocumentMovedToClient'] as const;

/**
 * The per-client document list (`client_documents_v2`): the one projection that writes it.
 * Each event goes to the handler of its kind; rebuilding this projection empties the
 * collection and replays every kind's events into it, so a rebuild from zero gives the same
 * rows for shifts, timesheets, quotes and invoices alike.
 *
 * A document moved to another company (DocumentMovedToClient, any kind) keeps its row; the
 * row's `clientId` follows it, so the new company's lists show it and the old one's do not.
 */
export const clientDocumentsProjection = projectionOf({
  name: 'client_documents_v2',
  eventTypes: CLIENT_DOCUMENT_EVENT_TYPES,
  collections: [CLIENT_DOCUMENTS_SPEC],

  project(event) {
    return withApprovalQueue(event, projectByKind(event));
  },
});

/** Kinds whose pending documents wait for a client's decision: the approvals queue. */
const DECIDED_BY_CLIENTS: ReadonlySet<string> = new Set(['timesheet', 'quote']);

/**
 * v2: every write that sets `pending` also sets `awaitsApproval`, true for a pending
 * timesheet or quote, so the approvals queue is one indexed query.
 */
function withApprovalQueue(event: RecordedEventOf<(typeof CLIENT_DOCUMENT_EVENT_TYPES)[number]>, writes: ProjectionWrite[]): ProjectionWrite[] {
  const kind = event.streamName.slice(0, event.streamName.indexOf('-'));
  return writes.map((write) =>
    write.op === 'upsert' && write.set && 'pending' in write.set
      ? { ...write, set: { ...write.set, awaitsApproval: write.set.pending === true && DECIDED_BY_CLIENTS.has(kind) } }
      : write,
  );
}

function projectByKind(event: RecordedEventOf<(typeof CLIENT_DOCUMENT_EVENT_TYPES)[number]>): ProjectionWrite[] {
  if (isEventOf(event, SHIFT_TIMESHEET_EVENT_TYPES)) return projectShiftOrTimesheet(event);
  if (isEventOf(event, QUOTE_INVOICE_EVENT_TYPES)) return projectQuoteOrInvoice(event);
  if (event.type === 'DocumentMovedToClient') {
    // Of any kind: the row follows the document to its new company.
    return [upsert(CLIENT_DOCUMENTS_COLLECTION, event.data.documentId, event.position, { set: { clientId: event.data.toClientId, updatedAt: event.metadata.occurredAt } })];
  }
  return unhandled(event);
}
