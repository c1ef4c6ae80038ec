import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { DOCUMENT_MODULE, portalUserMaySee } from '@app/domain';
import { audienceOf, CLIENT_DOCUMENTS_COLLECTION, ReadStore } from '@app/projections';
import { findPage, findSelectedPage, Page, PageQuery } from '../http/pagination';
import { READ_STORE } from '../infrastructure/tokens';
import { PortalUser, Staff } from '../auth/access';
import { CurrentPortalUser, CurrentStaff, PortalPrincipal, StaffPrincipal } from '../auth/principal';
import { PortalPermissions } from '../auth/portal-permissions';
import { DocumentView } from './collaboration.dto';
import { MAX_SCAN, toDocumentView } from './documents.controller';
import { Documents } from './documents.service';

export class ApprovalsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this client company's queue" })
  @IsOptional()
  @IsUUID()
  clientId?: string;
}

export class ApprovalsPage {
  @ApiProperty({ type: [DocumentView] }) items!: DocumentView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next page; null on the last page (a page may be short)' })
  nextCursor!: string | null;
}

/**
 * The approvals queue: timesheets and quotes awaiting a client's decision, read from the
 * per-client document list (`awaitsApproval`, kept by its projection).
 */
@ApiTags('collaboration')
@Controller('v1')
export class ApprovalsController {
  constructor(
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly documents: Documents,
    private readonly permissions: PortalPermissions,
  ) {}

  @Get('approvals')
  @Staff('read-models:read')
  @ApiOperation({ summary: "The approvals queue: timesheets and quotes awaiting the client's decision, per client company or all" })
  @ApiOkResponse({ type: ApprovalsPage })
  queue(@CurrentStaff() principal: StaffPrincipal, @Query() query: ApprovalsQuery): Promise<Page<DocumentView>> {
    const where: Record<string, string | boolean> = { organizationId: principal.organizationId, awaitsApproval: true };
    if (query.clientId) where.clientId = query.clientId.toLowerCase();
    return findPage(this.readStore, CLIENT_DOCUMENTS_COLLECTION, where, query, toDocumentView);
  }

  @Get('portal/approvals')
  @PortalUser('profile', 'view')
  @ApiOperation({
    summary: "What awaits this portal user's decision: its companies' pending timesheets and quotes it may see and may approve (by its user type, or by its permissions in the document's project)",
  })
  @ApiOkResponse({ type: ApprovalsPage })
  async mine(@CurrentPortalUser() user: PortalPrincipal, @Query() query: PageQuery): Promise<Page<DocumentView>> {
    const viewer = await this.documents.viewerOf(user);
    // Its user type's approve permission, or, for a document of a project, its permission there.
    const judge = this.permissions.judge(user);
    const wheres = user.clientIds.map((clientId) => ({ organizationId: user.organizationId, clientId, awaitsApproval: true }));
    return findSelectedPage(
      this.readStore,
      CLIENT_DOCUMENTS_COLLECTION,
      wheres,
      query,
      async (row) => {
        if (!portalUserMaySee(audienceOf(row), viewer, viewer.visibility)) return undefined;
        const decides = await judge(row.projectId ?? null, DOCUMENT_MODULE[row.kind], 'approve');
        return decides ? toDocumentView(row) : undefined;
      },
      { maxScan: MAX_SCAN },
    );
  }
}
