import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { clientCompany, clientCompanyStream, DomainError, documentNotFound } from '@app/domain';
import { CLIENT_DOCUMENTS_COLLECTION, ClientDocumentRow, DocumentCommentRow, DocumentViewsRow, FindQuery, ReadStore } from '@app/projections';
import { CommandExecutor } from '../commands/command-executor';
import { findSelectedPage, PageQuery, Page, ReadQuery } from '../http/pagination';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext } from '../http/request-context';
import { READ_STORE } from '../infrastructure/tokens';
import { PortalUser, Staff } from '../auth/access';
import { CurrentPortalUser, CurrentStaff, PortalContext, PortalPrincipal, StaffContext, StaffPrincipal } from '../auth/principal';
import {
  AddCommentDto,
  ClientDocumentsQuery,
  CommentAddedResponse,
  CommentPage,
  CommentView,
  DocumentView,
  PortalDocumentResponse,
  StaffDocumentPage,
  StaffDocumentView,
  ViewedMarkerView,
} from './collaboration.dto';
import { Documents } from './documents.service';
import { AddComment, MarkDocumentViewed } from './collaboration.commands';
import { Problems } from '../http/problem-catalog';

/** Most rows of the per-client list one request reads to fill a page of (not) viewed documents. */
export const MAX_SCAN = 2000;

export function toDocumentView(doc: ClientDocumentRow): DocumentView {
  return {
    id: doc.id,
    kind: doc.kind,
    clientId: doc.clientId,
    contactId: doc.contactId ?? null,
    projectId: doc.projectId ?? null,
    number: doc.number ?? null,
    title: doc.title,
    status: doc.status,
    pending: doc.pending === true,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    summary: { ...doc.summary },
  };
}

function toMarker(doc: DocumentViewsRow | null): ViewedMarkerView | null {
  if (!doc) return null;
  return {
    firstViewedAt: doc.firstViewedAt,
    firstViewedBy: doc.firstViewedBy,
    lastViewedAt: doc.lastViewedAt,
    lastViewedBy: doc.lastViewedBy,
    viewCount: doc.viewCount,
  };
}

export function toCommentView(doc: DocumentCommentRow, forPortal: boolean): CommentView {
  const { author } = doc;
  return {
    id: doc.id,
    documentId: doc.documentId,
    kind: doc.kind,
    text: doc.text,
    // A portal user sees that staff wrote, not which API key.
    author: { kind: author.kind, id: forPortal && author.kind === 'staff' ? null : author.id, contactId: author.contactId ?? null },
    createdAt: doc.createdAt,
  };
}

export function commentPage(documents: Documents, organizationId: string, documentId: string, query: PageQuery, forPortal: boolean): Promise<Page<CommentView>> {
  return documents.comments(organizationId, documentId, query, (doc) => toCommentView(doc, forPortal));
}

/** Staff: the documents shared with clients, their comments and viewed markers. */
@ApiTags('documents')
@Controller('v1')
export class DocumentsController {
  constructor(
    private readonly documents: Documents,
    private readonly commands: CommandBus,
    private readonly executor: CommandExecutor,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  @Get('documents/:documentId')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'A shared document (any kind) with its viewed marker: when and by whom the client first and last opened it' })
  @ApiOkResponse({ type: StaffDocumentView })
  @Problems('document-not-found')
  async get(@CurrentStaff() principal: StaffPrincipal, @Param('documentId', ResourceIdPipe) documentId: string, @Query() _query: ReadQuery): Promise<StaffDocumentView> {
    const row = await this.documents.row(principal.organizationId, documentId);
    if (!row) throw documentNotFound();
    return { ...toDocumentView(row), viewed: toMarker(await this.documents.viewMarker(principal.organizationId, documentId)) };
  }

  @Get('documents/:documentId/comments')
  @Staff('read-models:read')
  @ApiOperation({ summary: "A document's comments, oldest first" })
  @ApiOkResponse({ type: CommentPage })
  @Problems('document-not-found')
  async comments(@CurrentStaff() principal: StaffPrincipal, @Param('documentId', ResourceIdPipe) documentId: string, @Query() query: PageQuery): Promise<Page<CommentView>> {
    await this.documents.requireOfOrganization(principal.organizationId, documentId);
    return commentPage(this.documents, principal.organizationId, documentId, query, false);
  }

  @Post('documents/:documentId/comments')
  @HttpCode(201)
  @Staff('documents:write')
  @ApiOperation({ summary: 'Comment on a quote, invoice or timesheet (AddComment)' })
  @ApiCreatedResponse({ type: CommentAddedResponse })
  @Problems('document-not-found', 'comments-not-allowed', 'comment-text-required', 'comment-too-long')
  addComment(
    @StaffContext() context: CommandContext,
    @Param('documentId', ResourceIdPipe) documentId: string,
    @Body() body: AddCommentDto,
  ): Promise<CommentAddedResponse> {
    return this.commands.execute(new AddComment(context, documentId, body.text, { kind: 'staff', id: context.actor.id, contactId: null }));
  }

  @Get('clients/:clientId/documents')
  @Staff('read-models:read')
  @ApiOperation({ summary: "A client company's shared documents with their viewed markers; viewed=false lists those no portal user opened yet" })
  @ApiOkResponse({ type: StaffDocumentPage })
  @Problems('client-not-found')
  async clientDocuments(
    @CurrentStaff() principal: StaffPrincipal,
    @Param('clientId', ResourceIdPipe) clientId: string,
    @Query() query: ClientDocumentsQuery,
  ): Promise<Page<StaffDocumentView>> {
    const organizationId = principal.organizationId;
    const { state } = await this.executor.load(clientCompanyStream(clientId), clientCompany, organizationId);
    if (!state.registered) throw new DomainError('not-found', 'client-not-found', 'No such client company.');
    const where: FindQuery['where'] = query.kind ? { organizationId, clientId, kind: query.kind } : { organizationId, clientId };
    const wanted = query.viewed === undefined ? undefined : query.viewed === 'true';
    // The viewed filter joins two read models: the list is read in id order and each row's
    // marker looked up, until the page is full (a bounded scan; the cursor resumes it).
    return findSelectedPage(
      this.readStore,
      CLIENT_DOCUMENTS_COLLECTION,
      where,
      query,
      async (doc) => {
        const marker = await this.documents.viewMarker(organizationId, doc.id);
        return wanted === undefined || wanted === (marker !== null) ? { ...toDocumentView(doc), viewed: toMarker(marker) } : undefined;
      },
      { maxScan: MAX_SCAN },
    );
  }
}

/**
 * Portal users: open a document (marks it viewed) and comment on it. The module whose view
 * permission applies depends on the document's kind, so these routes are declared for every
 * signed-in Active user (`profile`) and the module permission is checked per document in
 * Documents.requireVisibleToPortalUser, with the same user-type permissions as the guard.
 */
@ApiTags('portal')
@Controller('v1/portal/documents')
export class PortalDocumentsController {
  constructor(
    private readonly documents: Documents,
    private readonly commands: CommandBus,
  ) {}

  @Get(':documentId')
  @PortalUser('profile', 'view')
  @ApiOperation({ summary: 'Open a document shared with your company (MarkDocumentViewed): another company’s, or one not shared with you, answers 404' })
  @ApiOkResponse({ type: PortalDocumentResponse })
  @Problems('document-not-found', 'forbidden', 'concurrency-conflict')
  async open(
    @CurrentPortalUser() user: PortalPrincipal,
    @PortalContext() context: CommandContext,
    @Param('documentId', ResourceIdPipe) documentId: string,
    @Query() _query: ReadQuery,
  ): Promise<PortalDocumentResponse> {
    const { located, position } = await this.commands.execute(new MarkDocumentViewed(context, user, documentId));
    const row = await this.documents.row(user.organizationId, documentId);
    const view: DocumentView = row
      ? toDocumentView(row)
      : // Shared a moment ago: the per-client list has no row yet; the stream has the essentials.
        { id: documentId, kind: located.kind, clientId: located.audience.clientId, contactId: located.audience.contactId, projectId: null, number: null, title: '', status: 'unknown', pending: false, createdAt: '', updatedAt: '', summary: {} };
    return { ...view, position };
  }

  @Get(':documentId/comments')
  @PortalUser('profile', 'view')
  @ApiOperation({ summary: "The comments on a document you may see, oldest first" })
  @ApiOkResponse({ type: CommentPage })
  @Problems('document-not-found', 'forbidden')
  async comments(@CurrentPortalUser() user: PortalPrincipal, @Param('documentId', ResourceIdPipe) documentId: string, @Query() query: PageQuery): Promise<Page<CommentView>> {
    await this.documents.requireVisibleToPortalUser(user, await this.documents.locate(user.organizationId, documentId));
    return commentPage(this.documents, user.organizationId, documentId, query, true);
  }

  @Post(':documentId/comments')
  @HttpCode(201)
  @PortalUser('profile', 'view')
  @ApiOperation({ summary: 'Comment on a quote, invoice or timesheet you may see (AddComment)' })
  @ApiCreatedResponse({ type: CommentAddedResponse })
  @Problems('document-not-found', 'forbidden', 'comments-not-allowed', 'comment-text-required', 'comment-too-long')
  addComment(
    @CurrentPortalUser() user: PortalPrincipal,
    @PortalContext() context: CommandContext,
    @Param('documentId', ResourceIdPipe) documentId: string,
    @Body() body: AddCommentDto,
  ): Promise<CommentAddedResponse> {
    return this.commands.execute(new AddComment(context, documentId, body.text, { kind: 'portal-user', id: user.accessId, contactId: user.contactId }, user));
  }
}
