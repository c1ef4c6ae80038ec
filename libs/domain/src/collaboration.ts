import { createHash } from 'node:crypto';
import { Decider, DomainEvent } from './decider';
import { DocumentAudience, DocumentKind, DOCUMENT_KINDS, portalUserMaySee } from './documents';
import { DomainError } from './errors';
import { PortalDocumentVisibility } from './organization';

/**
 * Client collaboration around shared documents: comments, viewed markers, and the read marks
 * of the organization's notifications. Each lives in a stream of its own, so commenting on or
 * opening a document never contends with the document itself:
 *
 * - `documentComments-<documentId>`: AddComment -> CommentAdded
 * - `documentViews-<documentId>`: MarkDocumentViewed -> DocumentViewed
 * - `notification-<notificationId>`: MarkNotificationRead -> NotificationRead
 */

// ---------------------------------------------------------------------------------------------
// The audience of a document, as its own stream tells it
// ---------------------------------------------------------------------------------------------

export interface DocumentAudienceState {
  exists: boolean;
  documentId: string | null;
  audience: DocumentAudience | null;
  /** The project the document is for, if any (its first event's; a shift's may change). */
  projectId: string | null;
}

/**
 * Folds any document stream (`shift-`, `timesheet-`, `quote-`, `invoice-<id>`) into whom the
 * document is for. Every kind's first event (ShiftPublished, TimesheetSubmitted, QuoteShared,
 * InvoiceShared) carries `clientId` and, where the kind has one, `contactId` (the shared
 * contract of documents.ts), so the audience is decided from the stream without each kind's
 * decider. A DocumentMovedToClient moves it to `toClientId` (the latest company is the one
 * that sees it); later events carrying a `clientId` agree with it. The first event's
 * `projectId` names the document's project; a ShiftUpdated may change it.
 */
export const documentAudience: Pick<Decider<DocumentAudienceState, never, DomainEvent>, 'initialState' | 'evolve'> = {
  initialState: () => ({ exists: false, documentId: null, audience: null, projectId: null }),
  evolve(state, event) {
    const data = event.data as { clientId?: unknown; contactId?: unknown; projectId?: unknown; shift?: { projectId?: unknown } };
    if (!state.exists) {
      if (typeof data.clientId !== 'string') return state;
      return {
        exists: true,
        documentId: null,
        audience: { clientId: data.clientId, contactId: typeof data.contactId === 'string' ? data.contactId : null },
        projectId: typeof data.projectId === 'string' ? data.projectId : null,
      };
    }
    if (event.type === 'ShiftUpdated' && data.shift && data.shift.projectId !== undefined) {
      state = { ...state, projectId: typeof data.shift.projectId === 'string' ? data.shift.projectId : null };
    }
    if (event.type === 'DocumentMovedToClient') {
      const { toClientId } = event.data as { toClientId: string };
      return { ...state, audience: { ...state.audience!, clientId: toClientId } };
    }
    if (typeof data.clientId === 'string' && data.clientId !== state.audience!.clientId) {
      return { ...state, audience: { ...state.audience!, clientId: data.clientId } };
    }
    return state;
  },
};

/** Kinds a comment may be added to: shifts are read-only to the client. */
export const COMMENTABLE_KINDS: readonly DocumentKind[] = ['timesheet', 'quote', 'invoice'];
export const COMMENT_MAX_LENGTH = 5000;

export function isDocumentKind(value: unknown): value is DocumentKind {
  return typeof value === 'string' && (DOCUMENT_KINDS as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------------------------
// Comments: stream `documentComments-<documentId>`
// ---------------------------------------------------------------------------------------------

export interface CommentAuthor {
  kind: 'staff' | 'portal-user';
  /** The API key (staff) or the portal access (portal user). */
  id: string;
  /** The portal user's contact; null for staff. */
  contactId: string | null;
}

/** A portal user acting on a document: who, of which company, under which visibility setting. */
export interface PortalViewer {
  /** The companies its contact belongs to now (see `portalUserMaySee`). */
  clientIds: readonly string[];
  contactId: string;
  visibility: PortalDocumentVisibility;
}

export type DocumentCommentsEvent = {
  type: 'CommentAdded';
  data: {
    commentId: string;
    documentId: string;
    kind: DocumentKind;
    clientId: string;
    /** The document's own contact (its audience), not the author. */
    contactId: string | null;
    text: string;
    author: CommentAuthor;
  };
};

export type DocumentCommentsCommand = {
  type: 'AddComment';
  commentId: string;
  documentId: string;
  kind: DocumentKind;
  /** The document as its stream tells it; null: no such document. */
  document: DocumentAudience | null;
  text: string;
  author: CommentAuthor;
  /** Set when a portal user comments: the document must be one it may see. */
  viewer?: PortalViewer;
};

export interface DocumentCommentsState {
  commentIds: string[];
}

export function documentNotFound(): DomainError {
  return new DomainError('not-found', 'document-not-found', 'No such document.');
}

export const documentComments: Decider<DocumentCommentsState, DocumentCommentsCommand, DocumentCommentsEvent> = {
  initialState: () => ({ commentIds: [] }),

  decide(command, state) {
    const document = command.document;
    if (!document) throw documentNotFound();
    if (command.viewer && !portalUserMaySee(document, command.viewer, command.viewer.visibility)) throw documentNotFound();
    if (!COMMENTABLE_KINDS.includes(command.kind)) {
      throw new DomainError('unprocessable', 'comments-not-allowed', `A ${command.kind} takes no comments: only timesheets, quotes and invoices do.`);
    }
    const text = typeof command.text === 'string' ? command.text.trim() : '';
    if (!text) throw new DomainError('unprocessable', 'comment-text-required', 'A comment needs some text.', { field: 'text' });
    if (text.length > COMMENT_MAX_LENGTH) {
      throw new DomainError('unprocessable', 'comment-too-long', `A comment has at most ${COMMENT_MAX_LENGTH} characters.`, { field: 'text' });
    }
    // The same comment again (a retried request) adds nothing.
    if (state.commentIds.includes(command.commentId)) return [];
    return [
      {
        type: 'CommentAdded',
        data: {
          commentId: command.commentId,
          documentId: command.documentId,
          kind: command.kind,
          clientId: document.clientId,
          contactId: document.contactId,
          text,
          author: command.author,
        },
      },
    ];
  },

  evolve(state, event) {
    switch (event.type) {
      case 'CommentAdded':
        return { commentIds: [...state.commentIds, event.data.commentId] };
      default:
        return state;
    }
  },
};

// ---------------------------------------------------------------------------------------------
// Viewed markers: stream `documentViews-<documentId>`
// ---------------------------------------------------------------------------------------------

export type DocumentViewsEvent = {
  type: 'DocumentViewed';
  data: { documentId: string; kind: DocumentKind; clientId: string; contactId: string; accessId: string };
};

export type DocumentViewsCommand = {
  type: 'MarkDocumentViewed';
  documentId: string;
  kind: DocumentKind;
  document: DocumentAudience | null;
  accessId: string;
  viewer: PortalViewer;
};

export interface DocumentViewsState {
  viewCount: number;
}

export const documentViews: Decider<DocumentViewsState, DocumentViewsCommand, DocumentViewsEvent> = {
  initialState: () => ({ viewCount: 0 }),

  decide(command) {
    const { document, viewer } = command;
    if (!document || !portalUserMaySee(document, viewer, viewer.visibility)) throw documentNotFound();
    // Every opening counts: no rule can refuse it, so concurrent openings only retry.
    return [
      {
        type: 'DocumentViewed',
        data: { documentId: command.documentId, kind: command.kind, clientId: document.clientId, contactId: viewer.contactId, accessId: command.accessId },
      },
    ];
  },

  evolve(state, event) {
    return event.type === 'DocumentViewed' ? { viewCount: state.viewCount + 1 } : state;
  },
};

// ---------------------------------------------------------------------------------------------
// Notifications: the feed is a projection of client actions; reading one is an event on
// stream `notification-<notificationId>`
// ---------------------------------------------------------------------------------------------

export const notificationStream = (notificationId: string) => `notification-${notificationId}`;

export type NotificationEvent = { type: 'NotificationRead'; data: { notificationId: string } };
export type NotificationCommand = { type: 'MarkNotificationRead'; notificationId: string };
export interface NotificationState {
  read: boolean;
}

export const notification: Decider<NotificationState, NotificationCommand, NotificationEvent> = {
  initialState: () => ({ read: false }),
  decide(command, state) {
    if (state.read) return [];
    return [{ type: 'NotificationRead', data: { notificationId: command.notificationId } }];
  },
  evolve(state, event) {
    return event.type === 'NotificationRead' ? { read: true } : state;
  },
};

const MAX_MS = 0xffffffffffff; // 48 bits of milliseconds: until the year 10889

/**
 * A UUID-shaped id (version 8: custom layout) whose first 48 bits are the time, the rest a
 * hash of a seed: ids ordered as strings are ordered by time. `newestFirst` inverts the time,
 * for feeds listed newest first. The same time and seed always give the same id.
 */
export function timeOrderedId(at: string | Date | number, seed: string, options: { newestFirst?: boolean } = {}): string {
  const ms = Math.max(0, Math.min(MAX_MS, typeof at === 'number' ? at : new Date(at).getTime()));
  const time = (options.newestFirst ? MAX_MS - ms : ms).toString(16).padStart(12, '0');
  const hash = createHash('sha1').update(seed).digest('hex');
  const variant = ((parseInt(hash[3], 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-8${hash.slice(0, 3)}-${variant}${hash.slice(4, 7)}-${hash.slice(7, 19)}`;
}

/** The notification a client action (a stored event) causes: newest first, stable across rebuilds. */
export function notificationIdOf(sourceEventId: string, occurredAt: string): string {
  return timeOrderedId(occurredAt, `notification:${sourceEventId}`, { newestFirst: true });
}
