import type { InvoiceEvent, QuoteEvent, ShiftEvent, TimesheetEvent } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { CLIENT_DOCUMENTS_COLLECTION, CLIENT_DOCUMENTS_SPEC } from './client-documents';
import { Projection } from './projection';
import { projectQuoteOrInvoice } from './quotes-invoices.projection';
import { ProjectionWrite } from './read-store';
import { projectShiftOrTimesheet } from './shifts-timesheets.projection';

const CLIENT_DOCUMENT_EVENT_TYPES = [
  ...(['ShiftPublished', 'ShiftUpdated', 'ShiftCancelled'] satisfies ShiftEvent['type'][]),
  ...(['TimesheetSubmitted', 'TimesheetResubmitted', 'TimesheetApproved', 'TimesheetRejected'] satisfies TimesheetEvent['type'][]),
  ...(['QuoteShared', 'QuoteAccepted', 'QuoteDeclined', 'QuoteWithdrawn'] satisfies QuoteEvent['type'][]),
  ...(['InvoiceShared', 'InvoicePaymentRecorded', 'InvoicePaid'] satisfies InvoiceEvent['type'][]),
  'DocumentMovedToClient',
];

/**
 * The per-client document list (`client_documents_v2`): the one projection that writes it.
 * Each event goes to the handler of its kind; rebuilding this projection empties the
 * collection and replays every kind's events into it, so a rebuild from zero gives the same
 * rows for shifts, timesheets, quotes and invoices alike.
 *
 * A document moved to another company (DocumentMovedToClient, any kind) keeps its row; the
 * row's `clientId` follows it, so the new company's lists show it and the old one's do not.
 */
export const clientDocumentsProjection: Projection = {
  name: 'client_documents_v2',
  eventTypes: CLIENT_DOCUMENT_EVENT_TYPES,
  collections: [CLIENT_DOCUMENTS_SPEC],

  project(event: RecordedEvent): ProjectionWrite[] {
    return withApprovalQueue(event, projectByKind(event));
  },
};

/** Kinds whose pending documents wait for a client's decision: the approvals queue. */
const DECIDED_BY_CLIENTS: ReadonlySet<string> = new Set(['timesheet', 'quote']);

/**
 * v2: every write that sets `pending` also sets `awaitsApproval`, true for a pending
 * timesheet or quote, so the approvals queue is one indexed query.
 */
function withApprovalQueue(event: RecordedEvent, writes: ProjectionWrite[]): ProjectionWrite[] {
  const kind = event.streamName.slice(0, event.streamName.indexOf('-'));
  return writes.map((write) =>
    write.op === 'upsert' && write.set && 'pending' in write.set
      ? { ...write, set: { ...write.set, awaitsApproval: write.set.pending === true && DECIDED_BY_CLIENTS.has(kind) } }
      : write,
  );
}


function projectByKind(event: RecordedEvent): ProjectionWrite[] {
  switch (event.type) {
    case 'ShiftPublished':
    case 'ShiftUpdated':
    case 'ShiftCancelled':
    case 'TimesheetSubmitted':
    case 'TimesheetResubmitted':
    case 'TimesheetApproved':
    case 'TimesheetRejected':
      return projectShiftOrTimesheet(event);
    case 'QuoteShared':
    case 'QuoteAccepted':
    case 'QuoteDeclined':
    case 'QuoteWithdrawn':
    case 'InvoiceShared':
    case 'InvoicePaymentRecorded':
    case 'InvoicePaid':
      return projectQuoteOrInvoice(event);
    case 'DocumentMovedToClient': {
      const data = event.data as { documentId: string; toClientId: string };
      return [
        {
          op: 'upsert',
          collection: CLIENT_DOCUMENTS_COLLECTION,
          id: data.documentId,
          position: event.position,
          set: { clientId: data.toClientId, updatedAt: event.metadata.occurredAt },
        },
      ];
    }
    default:
      return [];
  }
}
