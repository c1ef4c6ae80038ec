import { PortalDocumentVisibility } from './organization';
import { PortalModuleName } from './portal';

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
 * May this portal user see the document? Always within its own company; where the
 * organization chose `own`, only documents of its own contact or for the whole company.
 */
export function portalUserMaySee(
  document: DocumentAudience,
  user: { clientId: string; contactId: string },
  visibility: PortalDocumentVisibility,
): boolean {
  if (document.clientId !== user.clientId) return false;
  return visibility === 'company' || document.contactId === null || document.contactId === user.contactId;
}
