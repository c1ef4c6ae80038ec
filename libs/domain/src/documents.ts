import { PortalDocumentVisibility } from './organization';
import { PortalModuleName } from './portal';
import { DomainError } from './errors';

/**
 * What every document shared with a client company has in common. Each kind has its own
 * decider and stream category (`shift-<id>`, `timesheet-<id>`, `quote-<id>`, `invoice-<id>`);
 * comments and viewed markers live in streams of their own (`documentComments-<id>`,
 * `documentViews-<id>`), so reading or commenting never contends with the document itself.
 */
export const DOCUMENT_KINDS = ['shift', 'timesheet', 'quote', 'invoice'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** The portal module whose permissions govern a kind of document. */
export const DOCUMENT_MODULE: Record<DocumentKind, PortalModuleName> = {
  shift: 'shifts',
  timesheet: 'timesheets',
  quote: 'quotes',
  invoice: 'invoices',
};

export const documentStream = (kind: DocumentKind, documentId: string) => `${kind}-${documentId}`;
export const documentCommentsStream = (documentId: string) => `documentComments-${documentId}`;
export const documentViewsStream = (documentId: string) => `documentViews-${documentId}`;

/** Whom a document is for: a company, and optionally the one contact it concerns. */
export interface DocumentAudience {
  clientId: string;
  /** The contact who created it in the portal, or the one it is addressed to; null: the whole company. */
  contactId: string | null;
}

/**
 * What a portal user acts for, decided from the facts as they are now: the companies its
 * contact belongs to today (primary and associated, archived ones left out) and its contact.
 */
export interface PortalAudienceMember {
  clientIds: readonly string[];
  contactId: string;
}

/**
 * May this portal user see the document? Only when the document is filed under one of the
 * companies its contact belongs to now; where the organization chose `own`, only documents of
 * its own contact or for the whole company.
 */
export function portalUserMaySee(document: DocumentAudience, user: PortalAudienceMember, visibility: PortalDocumentVisibility): boolean {
  if (!user.clientIds.includes(document.clientId)) return false;
  return visibility === 'company' || document.contactId === null || document.contactId === user.contactId;
}

/** Why a document was re-filed under another company. */
export type DocumentMoveReason = 'contact-dissociated';
export const DOCUMENT_MOVE_REASONS: readonly DocumentMoveReason[] = ['contact-dissociated'];

/**
 * A document re-filed under another client company of the organization: an administrative
 * move (when a contact is dissociated from a company with `documents=move`, its documents for
 * that company go to its primary company). Allowed in every status, final ones included: the
 * document's content and lifecycle do not change, only whose it is. Every kind's decider takes
 * the same command and writes the same event on the document's own stream (`<kind>-<id>`).
 */
export interface MoveDocumentToClientCommand {
  type: 'MoveDocumentToClient';
  /** The caller has checked that the company exists in the organization. */
  toClientId: string;
  reason: DocumentMoveReason;
}

export interface DocumentMovedToClientEvent {
  type: 'DocumentMovedToClient';
  data: {
    documentId: string;
    kind: DocumentKind;
    fromClientId: string;
    toClientId: string;
    /** The document's contact (who created it, or to whom it is addressed); null: the whole company. */
    contactId: string | null;
    reason: DocumentMoveReason;
  };
}

/**
 * The shared decision of every kind: a document that does not exist is not found; moving it
 * to the company it is already filed under writes nothing (a retried move is no error).
 */
export function decideDocumentMove(
  kind: DocumentKind,
  document: { documentId: string; clientId: string; contactId: string | null } | null,
  command: MoveDocumentToClientCommand,
  notFound: () => Error,
): DocumentMovedToClientEvent[] {
  if (!document) throw notFound();
  const toClientId = typeof command.toClientId === 'string' ? command.toClientId.trim() : '';
  if (!toClientId) throw new DomainError('unprocessable', 'client-required', 'Say which client company the document moves to.', { field: 'toClientId' });
  if (!DOCUMENT_MOVE_REASONS.includes(command.reason)) {
    throw new DomainError('unprocessable', 'invalid-move-reason', `A move's reason is one of ${DOCUMENT_MOVE_REASONS.join(', ')}.`, { field: 'reason' });
  }
  if (toClientId === document.clientId) return [];
  return [
    {
      type: 'DocumentMovedToClient',
      data: { documentId: document.documentId, kind, fromClientId: document.clientId, toClientId, contactId: document.contactId, reason: command.reason },
    },
  ];
}
