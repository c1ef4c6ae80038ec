import { DocumentCommentsEvent, DocumentKind, DocumentViewsEvent, isDocumentKind, notificationIdOf } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { Projection } from './projection';
import { ProjectionWrite } from './read-store';

export const DOCUMENT_COMMENTS_COLLECTION = 'document_comments_v1';
export const DOCUMENT_VIEWS_COLLECTION = 'document_views_v1';
export const NOTIFICATIONS_COLLECTION = 'notifications_v1';

/**
 * Comments on shared documents, one row per comment keyed by its (time-ordered) id: a
 * document's comments listed by id come oldest first.
 */
export const documentCommentsProjection: Projection = {
  name: 'document_comments_v1',
  eventTypes: ['CommentAdded'] satisfies DocumentCommentsEvent['type'][],
  collections: [{ name: DOCUMENT_COMMENTS_COLLECTION, indexes: [['organizationId', 'documentId']] }],
  project(event: RecordedEvent): ProjectionWrite[] {
    if (event.type !== 'CommentAdded') return [];
    const data = event.data as Record<string, any>;
    return [
      {
        op: 'insert',
        collection: DOCUMENT_COMMENTS_COLLECTION,
        id: data.commentId,
        doc: {
          organizationId: event.metadata.organizationId,
          documentId: data.documentId,
          kind: data.kind,
          clientId: data.clientId,
          contactId: data.contactId ?? null,
          text: data.text,
          author: data.author,
          createdAt: event.metadata.occurredAt,
        },
      },
    ];
  },
};

/**
 * Viewed-document markers, one row per document: first viewed (when, by whom), last viewed,
 * how many times. The position guard of the upsert makes a replayed event count once.
 */
export const documentViewsProjection: Projection = {
  name: 'document_views_v1',
  eventTypes: ['DocumentViewed'] satisfies DocumentViewsEvent['type'][],
  collections: [{ name: DOCUMENT_VIEWS_COLLECTION, indexes: [['organizationId', 'clientId'], ['organizationId', 'clientId', 'kind']] }],
  project(event: RecordedEvent): ProjectionWrite[] {
    if (event.type !== 'DocumentViewed') return [];
    const data = event.data as Record<string, any>;
    const at = event.metadata.occurredAt;
    const by = { accessId: data.accessId, contactId: data.contactId };
    return [
      {
        op: 'upsert',
        collection: DOCUMENT_VIEWS_COLLECTION,
        id: data.documentId,
        position: event.position,
        setOnInsert: {
          organizationId: event.metadata.organizationId,
          documentId: data.documentId,
          kind: data.kind,
          clientId: data.clientId,
          firstViewedAt: at,
          firstViewedBy: by,
        },
        set: { lastViewedAt: at, lastViewedBy: by },
        inc: { viewCount: 1 },
      },
    ];
  },
};

/** Document actions a client takes in the portal that the organization hears about. */
const DOCUMENT_ACTIONS: Record<string, true> = {
  TimesheetSubmitted: true,
  TimesheetResubmitted: true,
  TimesheetApproved: true,
  TimesheetRejected: true,
  QuoteAccepted: true,
  QuoteDeclined: true,
  InvoicePaymentRecorded: true,
};
/** A client updating its own details. */
const DETAIL_CHANGES: Record<string, true> = { PortalPreferencesChanged: true, ContactUpdated: true, ClientCompanyUpdated: true };

export interface NotificationRow {
  id: string;
  organizationId: string;
  /** The client action: the type of the event that caused it (QuoteAccepted, CommentAdded, ...). */
  type: string;
  documentId: string | null;
  kind: DocumentKind | null;
  clientId: string | null;
  /** The contact the event names: the document's contact, the one who acted where the event says so (a comment's author, a quote's decider), or whose details changed. `actor` is always who acted. */
  contactId: string | null;
  actor: { kind: string; id: string };
  occurredAt: string;
  sourceEventId: string;
  /** What the lists and the email show: reason, amount, comment excerpt, changed fields. */
  details: Record<string, unknown>;
  read: boolean;
}

/**
 * The notification a stored event causes, or null: client actions only, that is events
 * written through the portal (channel `portal`, or a portal user as actor). The document is
 * found from the event's stream (`<kind>-<id>`) or, for a comment, from its data.
 */
export function notificationOf(event: RecordedEvent): NotificationRow | null {
  const { metadata } = event;
  const byClient = metadata.channel === 'portal' || metadata.actor?.kind === 'portal-user';
  if (!byClient) return null;
  const data = event.data as Record<string, any>;
  let documentId: string | null = null;
  let kind: DocumentKind | null = null;
  let details: Record<string, unknown> = {};
  if (DOCUMENT_ACTIONS[event.type]) {
    const dash = event.streamName.indexOf('-');
    const category = event.streamName.slice(0, dash);
    if (dash < 0 || !isDocumentKind(category)) return null;
    kind = category;
    documentId = event.streamName.slice(dash + 1);
    details = pick(data, ['reason', 'amount', 'currency', 'method', 'reference', 'totalMinutes']);
  } else if (event.type === 'CommentAdded') {
    // Staff comments are the organization's own: no notification.
    if (data.author?.kind !== 'portal-user') return null;
    documentId = data.documentId;
    kind = data.kind;
    details = { text: typeof data.text === 'string' ? data.text.slice(0, 200) : '' };
  } else if (DETAIL_CHANGES[event.type]) {
    details = { changed: Object.keys(data.changes ?? {}).sort() };
  } else {
    return null;
  }
  const contactId = event.type === 'CommentAdded' ? (data.author?.contactId ?? null) : typeof data.contactId === 'string' ? data.contactId : null;
  return {
    id: notificationIdOf(event.id, metadata.occurredAt),
    organizationId: metadata.organizationId,
    type: event.type,
    documentId,
    kind,
    clientId: typeof data.clientId === 'string' ? data.clientId : null,
    contactId,
    actor: metadata.actor,
    occurredAt: metadata.occurredAt,
    sourceEventId: event.id,
    details,
    read: false,
  };
}

function pick(data: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (data[key] !== undefined) out[key] = data[key];
  return out;
}

/**
 * The organization's notifications feed: one row per client action, newest first (the ids
 * order by time, inverted), unread until a NotificationRead event marks it read.
 */
export const notificationsProjection: Projection = {
  name: 'notifications_v1',
  eventTypes: ['NotificationRead', 'CommentAdded', ...Object.keys(DOCUMENT_ACTIONS), ...Object.keys(DETAIL_CHANGES)],
  collections: [{ name: NOTIFICATIONS_COLLECTION, indexes: [['organizationId'], ['organizationId', 'read']] }],
  project(event: RecordedEvent): ProjectionWrite[] {
    if (event.type === 'NotificationRead') {
      const data = event.data as { notificationId: string };
      return [
        {
          op: 'upsert',
          collection: NOTIFICATIONS_COLLECTION,
          id: data.notificationId,
          position: event.position,
          set: { read: true, readAt: event.metadata.occurredAt, readBy: event.metadata.actor },
        },
      ];
    }
    const row = notificationOf(event);
    if (!row) return [];
    const { id, ...fields } = row;
    return [{ op: 'upsert', collection: NOTIFICATIONS_COLLECTION, id, position: event.position, setOnInsert: { ...fields, readAt: null, readBy: null } }];
  },
};
