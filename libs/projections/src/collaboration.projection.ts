import { CommentAuthor, DocumentKind, isDocumentKind, notificationIdOf } from '@app/domain';
import { EventMetadata, EventShape, RecordedEvent } from '@app/event-store';
import { collection } from './read-store';
import { insert, isEventOf, projectionOf, RecordedEventOf, unhandled, upsert } from './projection';

/** A comment on a shared document (docs/read-models.md, `document_comments_v1`). */
export interface DocumentCommentRow {
  /** Time-ordered: a document's comments listed by id come oldest first. */
  id: string;
  organizationId: string;
  documentId: string;
  kind: DocumentKind;
  /** The document's company when commented. */
  clientId: string;
  /** The document's own contact (its audience), not the author. */
  contactId: string | null;
  text: string;
  author: CommentAuthor;
  createdAt: string;
}

/** Who opened a document: the portal access and its contact. */
export interface DocumentViewer {
  accessId: string;
  contactId: string;
}

/** A document portal users opened (`document_views_v1`), keyed by the document id. */
export interface DocumentViewsRow {
  id: string;
  organizationId: string;
  documentId: string;
  kind: DocumentKind;
  /** Its company when first opened. */
  clientId: string;
  firstViewedAt: string;
  firstViewedBy: DocumentViewer;
  lastViewedAt: string;
  lastViewedBy: DocumentViewer;
  viewCount: number;
}

export const DOCUMENT_COMMENTS_COLLECTION = collection<DocumentCommentRow>('document_comments_v1');
export const DOCUMENT_VIEWS_COLLECTION = collection<DocumentViewsRow>('document_views_v1');

/**
 * Comments on shared documents, one row per comment keyed by its (time-ordered) id: a
 * document's comments listed by id come oldest first.
 */
export const documentCommentsProjection = projectionOf({
  name: 'document_comments_v1',
  eventTypes: ['CommentAdded'],
  collections: [{ name: DOCUMENT_COMMENTS_COLLECTION, indexes: [['organizationId', 'documentId']] }],
  project(event) {
    const data = event.data;
    return [
      insert(DOCUMENT_COMMENTS_COLLECTION, {
        id: data.commentId,
        organizationId: event.metadata.organizationId,
        documentId: data.documentId,
        kind: data.kind,
        clientId: data.clientId,
        contactId: data.contactId ?? null,
        text: data.text,
        author: data.author,
        createdAt: event.metadata.occurredAt,
      }),
    ];
  },
});

/**
 * Viewed-document markers, one row per document: first viewed (when, by whom), last viewed,
 * how many times. The position guard of the upsert makes a replayed event count once.
 */
export const documentViewsProjection = projectionOf({
  name: 'document_views_v1',
  eventTypes: ['DocumentViewed'],
  collections: [{ name: DOCUMENT_VIEWS_COLLECTION, indexes: [['organizationId', 'clientId'], ['organizationId', 'clientId', 'kind']] }],
  project(event) {
    const data = event.data;
    const at = event.metadata.occurredAt;
    const by = { accessId: data.accessId, contactId: data.contactId };
    return [
      upsert(DOCUMENT_VIEWS_COLLECTION, data.documentId, event.position, {
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
      }),
    ];
  },
});

/** Document actions a client takes in the portal that the organization hears about. */
const DOCUMENT_ACTIONS = [
  'TimesheetSubmitted',
  'TimesheetResubmitted',
  'TimesheetApproved',
  'TimesheetRejected',
  'QuoteAccepted',
  'QuoteDeclined',
  'InvoicePaymentRecorded',
] as const;
/** A client updating its own details. */
const DETAIL_CHANGES = ['PortalPreferencesChanged', 'ContactUpdated', 'ClientCompanyUpdated'] as const;
/** The events that notify the organization when a client causes them. */
const CLIENT_ACTIONS = [...DOCUMENT_ACTIONS, 'CommentAdded', ...DETAIL_CHANGES] as const;

/** What the lists and the email show of a client action (a type, not an interface: the email reads it as a plain record). */
export type NotificationDetails = {
  reason?: string;
  amount?: number;
  currency?: string;
  method?: string;
  reference?: string;
  totalMinutes?: number;
  /** A comment's first 200 characters. */
  text?: string;
  /** The fields a client changed in its details, sorted. */
  changed?: string[];
};

/** A client action the organization is notified of (docs/read-models.md, `notifications_v1`). */
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
  actor: EventMetadata['actor'];
  occurredAt: string;
  sourceEventId: string;
  /** What the lists and the email show: reason, amount, comment excerpt, changed fields. */
  details: NotificationDetails;
  read: boolean;
  readAt?: string | null;
  /** Who marked it read. */
  readBy?: EventMetadata['actor'] | null;
}

export const NOTIFICATIONS_COLLECTION = collection<NotificationRow>('notifications_v1');

/** What a notification says of its cause, by the cause's type. */
type CauseFields = Pick<NotificationRow, 'documentId' | 'kind' | 'clientId' | 'contactId' | 'details'>;

/**
 * The notification a stored event causes, or null: client actions only, that is events
 * written through the portal (channel `portal`, or a portal user as actor). The document is
 * found from the event's stream (`<kind>-<id>`) or, for a comment, from its data.
 */
export function notificationOf(event: RecordedEvent<EventShape>): NotificationRow | null {
  const { metadata } = event;
  const byClient = metadata.channel === 'portal' || metadata.actor?.kind === 'portal-user';
  if (!byClient || !isEventOf(event, CLIENT_ACTIONS)) return null;
  const cause = causeOf(event);
  if (!cause) return null;
  const { details, ...about } = cause;
  return {
    id: notificationIdOf(event.id, metadata.occurredAt),
    organizationId: metadata.organizationId,
    type: event.type,
    ...about,
    actor: metadata.actor,
    occurredAt: metadata.occurredAt,
    sourceEventId: event.id,
    details,
    read: false,
  };
}

function causeOf(event: RecordedEventOf<(typeof CLIENT_ACTIONS)[number]>): CauseFields | null {
  // A document action: the document is the event's stream (`<kind>-<id>`).
  const onDocument = (data: { clientId: string; contactId: string | null }, details: NotificationDetails): CauseFields | null => {
    const dash = event.streamName.indexOf('-');
    const category = event.streamName.slice(0, dash);
    if (dash < 0 || !isDocumentKind(category)) return null;
    return { documentId: event.streamName.slice(dash + 1), kind: category, clientId: data.clientId ?? null, contactId: data.contactId ?? null, details: defined(details) };
  };
  const changed = (changes: object | undefined) => ({ changed: Object.keys(changes ?? {}).sort() });
  switch (event.type) {
    case 'TimesheetSubmitted':
    case 'TimesheetResubmitted':
      return onDocument(event.data, { totalMinutes: event.data.totalMinutes });
    case 'TimesheetRejected':
    case 'QuoteDeclined':
      return onDocument(event.data, { reason: event.data.reason });
    case 'TimesheetApproved':
    case 'QuoteAccepted':
      return onDocument(event.data, {});
    case 'InvoicePaymentRecorded': {
      const { amount, currency, method, reference } = event.data;
      return onDocument(event.data, { amount, currency, method, reference });
    }
    case 'CommentAdded': {
      const { author, text } = event.data;
      // Staff comments are the organization's own: no notification.
      if (author?.kind !== 'portal-user') return null;
      return {
        documentId: event.data.documentId,
        kind: event.data.kind,
        clientId: event.data.clientId ?? null,
        contactId: author.contactId ?? null,
        details: { text: typeof text === 'string' ? text.slice(0, 200) : '' },
      };
    }
    case 'PortalPreferencesChanged':
    case 'ContactUpdated':
      return { documentId: null, kind: null, clientId: null, contactId: event.data.contactId ?? null, details: changed(event.data.changes) };
    case 'ClientCompanyUpdated':
      return { documentId: null, kind: null, clientId: event.data.clientId ?? null, contactId: null, details: changed(event.data.changes) };
    default:
      return unhandled(event);
  }
}

/** The details given, without those the event did not have. */
function defined(details: NotificationDetails): NotificationDetails {
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
}

/**
 * The organization's notifications feed: one row per client action, newest first (the ids
 * order by time, inverted), unread until a NotificationRead event marks it read.
 */
export const notificationsProjection = projectionOf({
  name: 'notifications_v1',
  eventTypes: ['NotificationRead', ...CLIENT_ACTIONS],
  collections: [{ name: NOTIFICATIONS_COLLECTION, indexes: [['organizationId'], ['organizationId', 'read']] }],
  project(event) {
    if (event.type === 'NotificationRead') {
      return [
        upsert(NOTIFICATIONS_COLLECTION, event.data.notificationId, event.position, {
          set: { read: true, readAt: event.metadata.occurredAt, readBy: event.metadata.actor },
        }),
      ];
    }
    const row = notificationOf(event);
    if (!row) return [];
    const { id, ...fields } = row;
    return [upsert(NOTIFICATIONS_COLLECTION, id, event.position, { setOnInsert: { ...fields, readAt: null, readBy: null } })];
  },
});
