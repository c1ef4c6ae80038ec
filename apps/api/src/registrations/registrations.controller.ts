import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { ReadStore, RegistrationRow, REGISTRATIONS_COLLECTION } from '@app/projections';
import { READ_STORE } from '../infrastructure/tokens';
import { findPage, Page } from '../http/pagination';
import { ResourceIdPipe } from '../http/pipes';
import { CommandContext, correlationIdOf } from '../http/request-context';
import { Public, Staff } from '../auth/access';
import { CurrentStaff, StaffContext, StaffPrincipal } from '../auth/principal';
import { Portals } from '../portal-configuration/portals.service';
import {
  ApprovedRegistration,
  ApproveRegistration,
  RejectedRegistration,
  RejectRegistration,
  RequestRegistration,
} from './registrations.commands';
import {
  ApprovedRegistrationResponse,
  ApproveRegistrationDto,
  ListRegistrationsQuery,
  RegistrationPage,
  RegistrationReceivedResponse,
  RegistrationRequestDto,
  RegistrationView,
  RejectedRegistrationResponse,
  RejectRegistrationDto,
} from './registrations.dto';
import { Problems } from '../http/problem-catalog';

/** The public side: a person asks for access to a portal that allows self-registration. */
@ApiTags('portal')
@Controller('v1/portal')
export class PortalRegistrationController {
  constructor(private readonly commands: CommandBus) {}

  @Post('registrations')
  @HttpCode(202)
  @Public()
  @ApiOperation({
    summary: 'Ask for access to a portal (RequestRegistration); staff approve or reject',
    description:
      'Answers 202 with the same body whatever happens (unknown portal, self-registration off, known email, repeated request), ' +
      'so that nobody learns which portals or emails exist. Where the portal allows self-registration a request is recorded; ' +
      'asking again while it is pending records nothing new. 10 requests per 15 minutes per client address, then 429.',
  })
  @ApiAcceptedResponse({ type: RegistrationReceivedResponse })
  @Problems('invalid-registration', 'too-many-attempts')
  async request(@Req() request: FastifyRequest, @Body() body: RegistrationRequestDto): Promise<Record<string, never>> {
    await this.commands.execute(new RequestRegistration(correlationIdOf(request), request.ip, body));
    return {};
  }
}

/** The staff side: review, approve, reject. */
@ApiTags('registrations')
@Controller('v1')
export class RegistrationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly portals: Portals,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  @Get('portals/:portalId/registrations')
  @Staff('read-models:read')
  @ApiOperation({ summary: "A portal's self-registration requests, filtered by status (registrations projection)" })
  @ApiOkResponse({ type: RegistrationPage })
  @Problems('portal-not-found')
  async list(
    @CurrentStaff() staff: StaffPrincipal,
    @Param('portalId', ResourceIdPipe) portalId: string,
    @Query() query: ListRegistrationsQuery,
  ): Promise<Page<RegistrationView>> {
    const portal = await this.portals.resolve(staff.organizationId, portalId);
    const where: Record<string, string> = { organizationId: staff.organizationId, portalId: portal.id };
    if (query.status) where.status = query.status;
    return findPage(this.readStore, REGISTRATIONS_COLLECTION, where, query, toView);
  }

  @Post('registrations/:registrationId/approve')
  @HttpCode(200)
  @Staff('portal-access:write')
  @ApiOperation({
    summary: 'Approve a registration request (ApproveRegistration)',
    description:
      'Creates the client company named in the request (or uses the given clientId), adds the person as its contact and invites it into the portal ' +
      '(the invitation email goes out). Safe to repeat after an interruption: the steps already done are not done again.',
  })
  @ApiOkResponse({ type: ApprovedRegistrationResponse })
  @Problems('registration-not-found', 'registration-already-approved', 'registration-already-rejected', 'registration-approval-in-progress', 'portal-not-found', 'unknown-user-type', 'client-not-found', 'client-archived', 'portal-access-disabled', 'portal-user-limit-reached')
  approve(
    @StaffContext() context: CommandContext,
    @Param('registrationId', ResourceIdPipe) registrationId: string,
    @Body() body: ApproveRegistrationDto,
  ): Promise<ApprovedRegistration> {
    return this.commands.execute(
      new ApproveRegistration(context, registrationId, { clientId: body.clientId?.toLowerCase(), userTypeId: body.userTypeId?.toLowerCase() }),
    );
  }

  @Post('registrations/:registrationId/reject')
  @HttpCode(200)
  @Staff('portal-access:write')
  @ApiOperation({ summary: 'Reject a registration request, with an optional reason (RejectRegistration)' })
  @ApiOkResponse({ type: RejectedRegistrationResponse })
  @Problems('registration-not-found', 'registration-already-approved', 'registration-already-rejected', 'invalid-reason')
  reject(
    @StaffContext() context: CommandContext,
    @Param('registrationId', ResourceIdPipe) registrationId: string,
    @Body() body: RejectRegistrationDto,
  ): Promise<RejectedRegistration> {
    return this.commands.execute(new RejectRegistration(context, registrationId, body.reason));
  }
}

function toView(doc: RegistrationRow): RegistrationView {
  return {
    id: doc.id,
    portalId: doc.portalId,
    email: doc.email,
    name: doc.name,
    companyName: doc.companyName,
    status: doc.status,
    requestedAt: doc.requestedAt,
    decidedAt: doc.decidedAt ?? null,
    reason: doc.reason ?? null,
    clientId: doc.clientId ?? null,
    contactId: doc.contactId ?? null,
  };
}
