import { Body, Controller, Get, HttpCode, Patch, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { ReadQuery } from '../http/pagination';
import { CommandContext, correlationIdOf } from '../http/request-context';
import { PortalUser, Public } from '../auth/access';
import { CurrentPortalUser, PortalContext, PortalPrincipal } from '../auth/principal';
import {
  MeResponse,
  MyDetailsDto,
  PasswordResetConfirmDto,
  PasswordResetDescription,
  PasswordResetDto,
  PasswordResetRequestedResponse,
  PasswordResetResponse,
  PasswordResetTokenDto,
  PreferencesDto,
  SessionResponse,
  SignedOutEverywhereResponse,
  SignInDto,
} from './portal.dto';
import { PortalUsers } from './portal-users';
import { ChangePortalPreferences, EndPortalSessions, ResetPortalPassword } from './portal.commands';
import { UpdateContact } from '../directory/directory.commands';
import { Problems } from '../http/problem-catalog';

@ApiTags('portal')
@Controller('v1/portal')
export class PortalController {
  constructor(
    private readonly users: PortalUsers,
    private readonly commands: CommandBus,
  ) {}

  @Post('sessions')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: 'Sign in: a short-lived session token for the /v1/portal routes' })
  @ApiOkResponse({ type: SessionResponse })
  @Problems('invalid-credentials', 'too-many-attempts')
  signIn(@Req() request: FastifyRequest, @Body() body: SignInDto): Promise<SessionResponse> {
    return this.users.signIn(body.email, body.password, body.portalId, request.ip);
  }

  @Post('sessions/current/sign-out')
  @HttpCode(204)
  @PortalUser('profile', 'view')
  @ApiOperation({ summary: 'Sign out: the session token of this request stops working (other sessions go on)' })
  @ApiNoContentResponse({ description: 'Signed out' })
  async signOut(@CurrentPortalUser() user: PortalPrincipal): Promise<void> {
    await this.users.signOut(user);
  }

  @Post('sessions/all/sign-out')
  @HttpCode(200)
  @PortalUser('profile', 'view')
  @ApiOperation({ summary: "Sign out everywhere: every session of this user ends, this one included (PortalSessionsEnded)" })
  @ApiOkResponse({ type: SignedOutEverywhereResponse })
  signOutEverywhere(@CurrentPortalUser() user: PortalPrincipal, @PortalContext() context: CommandContext): Promise<SignedOutEverywhereResponse> {
    return this.commands.execute(new EndPortalSessions(context, user));
  }

  @Post('password-reset')
  @HttpCode(202)
  @Public()
  @ApiOperation({ summary: 'Email a single-use password reset link (202 whether or not the email exists)' })
  @ApiAcceptedResponse({ type: PasswordResetRequestedResponse })
  @Problems('too-many-attempts')
  async requestPasswordReset(@Req() request: FastifyRequest, @Body() body: PasswordResetDto): Promise<PasswordResetRequestedResponse> {
    await this.users.requestPasswordReset(body.email, request.ip, correlationIdOf(request));
    return {};
  }

  @Post('password-reset/confirm')
  @HttpCode(200)
  @Public()
  @ApiOperation({ summary: "Set a new password with the emailed token; ends the user's sessions" })
  @ApiOkResponse({ type: PasswordResetResponse })
  @Problems('invalid-token', 'invitation-not-valid', 'weak-password', 'too-many-attempts')
  confirmPasswordReset(@Req() request: FastifyRequest, @Body() body: PasswordResetConfirmDto): Promise<PasswordResetResponse> {
    return this.commands.execute(new ResetPortalPassword(correlationIdOf(request), request.ip, body.token, body.password));
  }

  @Post('password-reset/describe')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: 'Describe a password reset link without using it: whose account, and whether it can still be used',
    description: 'A POST so that the token stays out of URLs. An unknown token answers 400 /problems/invalid-token and counts as a failed confirmation (429 after 10).',
  })
  @ApiOkResponse({ type: PasswordResetDescription })
  @Problems('invalid-token', 'too-many-attempts')
  describePasswordReset(@Req() request: FastifyRequest, @Body() body: PasswordResetTokenDto): Promise<PasswordResetDescription> {
    return this.users.describePasswordReset(body.token, request.ip);
  }

  @Get('me')
  @PortalUser('profile', 'view')
  @ApiOperation({ summary: 'The signed-in portal user: contact, company, preferences' })
  @ApiOkResponse({ type: MeResponse })
  me(@CurrentPortalUser() user: PortalPrincipal, @Query() _query: ReadQuery): Promise<MeResponse> {
    return this.users.me(user);
  }

  @Patch('me')
  @PortalUser('profile', 'edit')
  @ApiOperation({ summary: 'Change its own contact details: name, phone (UpdateContact, by the portal user; the organization is notified)' })
  @ApiOkResponse({ type: MeResponse })
  @Problems('name-required')
  async changeDetails(@CurrentPortalUser() user: PortalPrincipal, @PortalContext() context: CommandContext, @Body() body: MyDetailsDto): Promise<MeResponse> {
    // Its contact's event, with the user as actor.
    const { position } = await this.commands.execute(new UpdateContact(context, user.contactId, { name: body.name, phone: body.phone }));
    return { ...(await this.users.me(user)), position };
  }

  @Patch('me/preferences')
  @PortalUser('profile', 'edit')
  @ApiOperation({ summary: 'Change language, time format, time zone or country (an event, by the portal user)' })
  @ApiOkResponse({ type: MeResponse })
  @Problems('invalid-preference', 'access-not-active')
  async changePreferences(
    @CurrentPortalUser() user: PortalPrincipal,
    @PortalContext() context: CommandContext,
    @Body() body: PreferencesDto,
  ): Promise<MeResponse> {
    const { position } = await this.commands.execute(new ChangePortalPreferences(context, user, body));
    return { ...(await this.users.me(user)), position };
  }
}
