import { AsOf } from '../audit/as-of';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { defaultPortalId, DomainError, portalAccessId } from '@app/domain';
import { PORTAL_ACCESS_COLLECTION, PortalAccessRow, ReadStore } from '@app/projections';
import { READ_STORE } from '../infrastructure/tokens';
import { BulkInvite, BulkInviteResult } from './bulk-invite.commands';
import { InvitationDescription, Invitations } from './invitations';
import { findPage, Page, ReadQuery } from '../http/pagination';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext, correlationIdOf } from '../http/request-context';
import { Public, Staff } from '../auth/access';
import { CurrentStaff, StaffContext, StaffPrincipal } from '../auth/principal';
import {
  AcceptInvitation,
  ChangePortalUserType,
  DisablePortalAccess,
  EnablePortalAccess,
  InviteContact,
  PortalAccessResult,
  ResendInvitation,
  RevokePortalAccess,
} from './portal-access.commands';
import {
  AcceptInvitationDto,
  BulkInviteDto,
  BulkInviteResponse,
  ChangePortalUserTypeDto,
  DisablePortalAccessDto,
  InvitationDescriptionResponse,
  InvitationTokenDto,
  InviteContactDto,
  PortalAccessQuery,
  PortalTargetDto,
  ListPortalAccessQuery,
  PortalAccessStatusResponse,
  PortalAccessView,
  PortalAccessPage,
  RevokePortalAccessDto,
} from './portal-access.dto';
import { Problems } from '../http/problem-catalog';

@ApiTags('portal access')
@Controller('v1')
export class PortalAccessController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  @Post('contacts/:contactId/portal-access/invite')
  @HttpCode(200)
  @Staff('portal-access:write')
  @ApiOperation({
    summary: "Invite a contact into a portal (InviteContact) with an optional user type; emails an invitation link in the contact's language",
  })
  @ApiOkResponse({ type: PortalAccessStatusResponse })
  @Problems('contact-not-found', 'portal-not-found', 'portal-id-mismatch', 'unknown-user-type', 'already-invited', 'portal-access-disabled', 'contact-has-no-email', 'contact-has-no-active-client', 'invalid-language', 'portal-user-limit-reached', 'contact-erased')
  invite(
    @StaffContext() context: CommandContext,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Query() query: PortalTargetDto,
    @Body() body: InviteContactDto,
  ): Promise<PortalAccessResult> {
    const portalId = portalIdOf(query, body);
    return this.commands.execute(new InviteContact(context, contactId, { portalId, userTypeId: body.userTypeId?.toLowerCase(), language: body.language }));
  }

  @Post('contacts/:contactId/portal-access/resend')
  @HttpCode(200)
  @Staff('portal-access:write')
  @ApiOperation({ summary: 'Re-send the invitation with a new token (ResendInvitation); 429 during the cool-down' })
  @ApiOkResponse({ type: PortalAccessStatusResponse })
  @Problems('contact-not-found', 'portal-not-found', 'portal-id-mismatch', 'portal-access-not-found', 'not-invited', 'resend-cooldown', 'contact-has-no-email', 'contact-erased')
  resend(
    @StaffContext() context: CommandContext,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Query() query: PortalTargetDto,
    @Body() body: PortalTargetDto,
  ): Promise<PortalAccessResult> {
    return this.commands.execute(new ResendInvitation(context, contactId, portalIdOf(query, body)));
  }

  @Post('contacts/:contactId/portal-access/disable')
  @HttpCode(200)
  @Staff('portal-access:write')
  @ApiOperation({ summary: 'Disable portal access (DisablePortalAccess)' })
  @ApiOkResponse({ type: PortalAccessStatusResponse })
  @Problems('contact-not-found', 'portal-not-found', 'portal-id-mismatch', 'portal-access-not-found', 'cannot-disable', 'contact-erased')
  disable(
    @StaffContext() context: CommandContext,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Query() query: PortalTargetDto,
    @Body() body: DisablePortalAccessDto,
  ): Promise<PortalAccessResult> {
    return this.commands.execute(new DisablePortalAccess(context, contactId, body.reason, portalIdOf(query, body)));
  }

  @Post('contacts/:contactId/portal-access/enable')
  @HttpCode(200)
  @Staff('portal-access:write')
  @ApiOperation({ summary: 'Enable portal access again (EnablePortalAccess): Active if accepted before, else Invited with a fresh email' })
  @ApiOkResponse({ type: PortalAccessStatusResponse })
  @Problems('contact-not-found', 'portal-not-found', 'portal-id-mismatch', 'portal-access-not-found', 'not-disabled', 'contact-has-no-email', 'contact-erased')
  enable(
    @StaffContext() context: CommandContext,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Query() query: PortalTargetDto,
    @Body() body: PortalTargetDto,
  ): Promise<PortalAccessResult> {
    return this.commands.execute(new EnablePortalAccess(context, contactId, portalIdOf(query, body)));
  }

  @Post('contacts/:contactId/portal-access/revoke')
  @HttpCode(200)
  @Staff('portal-access:write')
  @ApiOperation({ summary: 'Remove portal access (RevokePortalAccess), optionally telling the person by email; frees its seat' })
  @ApiOkResponse({ type: PortalAccessStatusResponse })
  @Problems('contact-not-found', 'portal-not-found', 'portal-id-mismatch', 'portal-access-not-found', 'already-revoked', 'contact-erased')
  revoke(
    @StaffContext() context: CommandContext,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Query() query: PortalTargetDto,
    @Body() body: RevokePortalAccessDto,
  ): Promise<PortalAccessResult> {
    return this.commands.execute(new RevokePortalAccess(context, contactId, body.reason, body.notify ?? false, portalIdOf(query, body)));
  }

  @Put('contacts/:contactId/portal-access/user-type')
  @HttpCode(200)
  @Staff('portal-access:write')
  @ApiOperation({ summary: "Change the user type of a contact's portal access (ChangePortalUserType): its module permissions" })
  @ApiOkResponse({ type: PortalAccessStatusResponse })
  @Problems('contact-not-found', 'portal-not-found', 'portal-id-mismatch', 'unknown-user-type', 'portal-access-not-found', 'access-revoked', 'contact-erased')
  changeUserType(
    @StaffContext() context: CommandContext,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Query() query: PortalTargetDto,
    @Body() body: ChangePortalUserTypeDto,
  ): Promise<PortalAccessResult> {
    return this.commands.execute(new ChangePortalUserType(context, contactId, body.userTypeId?.toLowerCase() ?? null, portalIdOf(query, body)));
  }

  @Get('contacts/:contactId/portal-access')
  @AsOf('portalAccess')
  @Staff('read-models:read')
  @ApiOperation({ summary: "A contact's portal access status (portal status projection); portalId: the organization's first portal when omitted" })
  @ApiOkResponse({ type: PortalAccessView })
  @Problems('portal-access-not-found')
  async get(
    @CurrentStaff() principal: StaffPrincipal,
    @Param('contactId', ResourceIdPipe) contactId: string,
    @Query() query: PortalAccessQuery,
  ): Promise<PortalAccessView> {
    const portalId = query.portalId?.toLowerCase() ?? defaultPortalId(principal.organizationId);
    const doc = await this.readStore.get(PORTAL_ACCESS_COLLECTION, portalAccessId(portalId, contactId));
    if (!doc || doc.organizationId !== principal.organizationId) {
      throw new DomainError('not-found', 'portal-access-not-found', 'This contact has no portal access.');
    }
    return toView(doc);
  }

  @Post('portal-access/bulk-invite')
  @HttpCode(200)
  @Staff('portal-access:write')
  @ApiOperation({
    summary: 'Invite many (BulkInvite): the primary contact of each company (clientIds) or each contact (contactIds); entries that cannot be invited are skipped with a reason',
  })
  @ApiOkResponse({ type: BulkInviteResponse })
  @Problems('portal-id-mismatch', 'projections-behind')
  bulkInvite(@StaffContext() context: CommandContext, @Query() query: PortalTargetDto, @Body() body: BulkInviteDto): Promise<BulkInviteResult> {
    if (!body.clientIds === !body.contactIds) {
      throw new DomainError('unprocessable', 'validation-failed', 'Give either clientIds or contactIds.', {
        errors: [{ field: 'clientIds', message: 'exactly one of clientIds and contactIds is required' }],
      });
    }
    const options = { portalId: portalIdOf(query, body), userTypeId: body.userTypeId?.toLowerCase(), language: body.language };
    return this.commands.execute(new BulkInvite(context, { clientIds: body.clientIds, contactIds: body.contactIds }, options));
  }

  @Get('portal-access')
  @Staff('read-models:read')
  @ApiOperation({ summary: 'List portal accesses, filtered by portal, by the company they act for first (clientId) and by status' })
  @ApiOkResponse({ type: PortalAccessPage })
  list(@CurrentStaff() principal: StaffPrincipal, @Query() query: ListPortalAccessQuery): Promise<Page<PortalAccessView>> {
    const where: Record<string, string> = { organizationId: principal.organizationId };
    if (query.portalId) where.portalId = query.portalId.toLowerCase();
    if (query.clientId) where.clientId = query.clientId.toLowerCase();
    if (query.status) where.status = query.status;
    return findPage(this.readStore, PORTAL_ACCESS_COLLECTION, where, query, toView);
  }
}

@ApiTags('portal')
@Controller('v1/portal')
export class PortalInvitationController {
  constructor(
    private readonly commands: CommandBus,
    private readonly invitations: Invitations,
  ) {}

  @Public()
  @Post('invitations/describe')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Describe an invitation by its token without accepting it: who invited, to which portal, in which language, and whether it can still be accepted',
    description: 'A POST so that the token stays out of URLs. An unknown token answers 400 /problems/invalid-token and counts as a failed acceptance (429 after 10).',
  })
  @ApiOkResponse({ type: InvitationDescriptionResponse })
  @Problems('invalid-token', 'too-many-attempts')
  describe(@Req() request: FastifyRequest, @Body() body: InvitationTokenDto): Promise<InvitationDescription> {
    return this.invitations.describe(body.token, request.ip);
  }

  @Public()
  @Post('invitations/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept an invitation with its emailed token and choose a password (AcceptInvitation)' })
  @ApiOkResponse({ type: PortalAccessStatusResponse })
  @Problems('invalid-token', 'invitation-not-valid', 'weak-password', 'too-many-attempts')
  accept(@Req() request: FastifyRequest, @Body() body: AcceptInvitationDto): Promise<PortalAccessResult> {
    return this.commands.execute(new AcceptInvitation(correlationIdOf(request), request.ip, body.token, body.password));
  }
}

/** The portal named in the body or the query string (the same one if both); undefined: the first. */
function portalIdOf(query: PortalTargetDto, body: PortalTargetDto): string | undefined {
  const fromQuery = query.portalId?.toLowerCase();
  const fromBody = body.portalId?.toLowerCase();
  if (fromQuery && fromBody && fromQuery !== fromBody) {
    throw new DomainError('unprocessable', 'portal-id-mismatch', 'portalId differs between the query string and the body.', { field: 'portalId' });
  }
  return fromBody ?? fromQuery;
}

function toView(doc: PortalAccessRow): PortalAccessView {
  return {
    accessId: doc.id,
    portalId: doc.portalId,
    userTypeId: doc.userTypeId ?? null,
    language: doc.language ?? null,
    contactId: doc.contactId,
    clientId: doc.clientId,
    clientIds: Array.isArray(doc.clientIds) ? doc.clientIds : [doc.clientId],
    email: doc.email,
    status: doc.status,
    invitedAt: doc.invitedAt,
    lastInvitedAt: doc.lastInvitedAt,
    invitationCount: doc.invitationCount,
    invitationExpiresAt: doc.invitationExpiresAt ?? null,
    acceptedAt: doc.acceptedAt ?? null,
    disabledAt: doc.disabledAt ?? null,
    disabledReason: doc.disabledReason ?? null,
    enabledAt: doc.enabledAt ?? null,
    revokedAt: doc.revokedAt ?? null,
    revokedReason: doc.revokedReason ?? null,
    passwordChangedAt: doc.passwordChangedAt ?? null,
    updatedAt: doc.updatedAt,
  };
}
