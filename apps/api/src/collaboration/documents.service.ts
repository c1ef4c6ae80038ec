import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import {
  DOCUMENT_KINDS,
  DOCUMENT_MODULE,
  DocumentAudience,
  documentAudience,
  DocumentKind,
  documentNotFound,
  documentStream,
  isDocumentKind,
  portalUserMaySee,
  PortalViewer,
} from '@app/domain';
import {
  CLIENT_DOCUMENTS_COLLECTION,
  CLIENT_DOCUMENTS_SPEC,
  ClientDocumentRow,
  DOCUMENT_COMMENTS_COLLECTION,
  DOCUMENT_VIEWS_COLLECTION,
  DocumentCommentRow,
  DocumentViewsRow,
  ReadStore,
} from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { findPage, Page, PageQuery } from '../http/pagination';
import { ProblemException } from '../http/problem';
import { READ_STORE } from '../infrastructure/tokens';
import { PortalPrincipal } from '../auth/principal';
import { Organizations } from '../organizations/organizations';
import { PortalPermissions } from '../auth/portal-permissions';

/** A document as its own stream tells it: kind, audience and project. */
export interface LocatedDocument {
  documentId: string;
  kind: DocumentKind;
  audience: DocumentAudience;
  projectId: string | null;
}

/**
 * Shared documents as collaboration sees them: where a document is (its kind, from the
 * per-client list; its audience, from its own stream), who may see it, its comments and its
 * viewed markers. The writes are collaboration.commands.ts's.
 *
 * Commands decide from the document's own stream, folded by `documentAudience` (every kind's
 * first event names its company and contact; a DocumentMovedToClient later re-files it under
 * another company, and the latest company is the one whose portal users see it), so a comment
 * or a view is never decided from a projection that may lag or be rebuilt. The
 * `client_documents_v2` row is only used to learn a document's kind from its id; where the row
 * is not there yet (just shared), each kind's stream is tried instead.
 */
@Injectable()
export class Documents implements OnModuleInit {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly organizations: Organizations,
    private readonly permissions: PortalPermissions,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  /**
   * The per-client list is declared by its one projection (client_documents_v2); ensuring it
   * here too (idempotent) lets these queries run before that projection's first start.
   */
  async onModuleInit(): Promise<void> {
    await this.readStore.ensureCollections([CLIENT_DOCUMENTS_SPEC]);
  }

  /** The per-client list row of a document of the organization, or null. */
  async row(organizationId: string, documentId: string): Promise<ClientDocumentRow | null> {
    const doc = await this.readStore.get(CLIENT_DOCUMENTS_COLLECTION, documentId);
    return doc && doc.organizationId === organizationId ? doc : null;
  }

  /** The document's kind and audience from its own stream (another organization's: null). */
  async locate(organizationId: string, documentId: string, kinds: readonly DocumentKind[] = DOCUMENT_KINDS): Promise<LocatedDocument | null> {
    const row = await this.row(organizationId, documentId);
    const candidates = row && isDocumentKind(row.kind) ? [row.kind] : kinds;
    for (const kind of candidates) {
      const { state } = await this.executor.load(documentStream(kind, documentId), documentAudience, organizationId);
      if (state.exists) return { documentId, kind, audience: state.audience!, projectId: state.projectId };
    }
    return null;
  }

  /** The portal user as a viewer: its companies, its contact, and the organization's visibility setting. */
  async viewerOf(user: PortalPrincipal): Promise<PortalViewer> {
    const organization = await this.organizations.get(user.organizationId);
    return { clientIds: user.clientIds, contactId: user.contactId, visibility: organization.settings.portalDocumentVisibility };
  }

  /**
   * A document the portal user may open: of its company, within the visibility setting, and,
   * for a document of a project, of a project it is in (404 otherwise, as for a document that
   * does not exist), and allowed the view permission on the document's module by its user type
   * or, in a project, by its permissions there (403): the guard's rules (PortalPermissions),
   * applied here because the route cannot say the document's kind in advance.
   */
  async requireVisibleToPortalUser(user: PortalPrincipal, document: LocatedDocument | null): Promise<{ document: LocatedDocument; viewer: PortalViewer }> {
    const viewer = await this.viewerOf(user);
    if (!document || !portalUserMaySee(document.audience, viewer, viewer.visibility)) throw documentNotFound();
    const permissions = await this.permissions.forDocument(user, document.projectId);
    if (!permissions) throw documentNotFound();
    const module = DOCUMENT_MODULE[document.kind];
    if (!permissions[module]?.view) {
      throw new ProblemException(403, 'forbidden', 'Forbidden', `This portal user's permissions do not allow view on ${module}.`);
    }
    return { document, viewer };
  }

  async viewMarker(organizationId: string, documentId: string): Promise<DocumentViewsRow | null> {
    const doc = await this.readStore.get(DOCUMENT_VIEWS_COLLECTION, documentId);
    return doc && doc.organizationId === organizationId ? doc : null;
  }

  /** A page of a document's comments, oldest first. */
  comments<T>(organizationId: string, documentId: string, query: PageQuery, toItem: (doc: DocumentCommentRow) => T): Promise<Page<T>> {
    return findPage(this.readStore, DOCUMENT_COMMENTS_COLLECTION, { organizationId, documentId }, query, toItem);
  }

  /** Staff: the document must be one of the organization's (404 otherwise). */
  async requireOfOrganization(organizationId: string, documentId: string): Promise<LocatedDocument> {
    const located = await this.locate(organizationId, documentId);
    if (!located) throw documentNotFound();
    return located;
  }
}
