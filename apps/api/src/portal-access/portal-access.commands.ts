import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  contact,
  contactStream,
  DomainError,
  NewInvitation,
  portalAccess,
  portalAccessId,
  PortalAccessState,
  portalAccessStream,
  PortalAccessStatus,
} from '@app/domain';
import { CredentialStore, hashPassword, hashToken, passwordProblem } from '@app/credentials';
import { FailureLimiter } from '../auth/failure-limiter';
import { ProblemException } from '../http/problem';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { APP_CONFIG } from '../infrastructure/tokens';
import { CommandContext } from '../http/request-context';
import { Portals, PortalView } from '../portals/portals.service';
import { Invitations } from './invitations';

export interface PortalAccessResult {
  accessId: string;
  contactId: string;
  portalId?: string;
  status: PortalAccessStatus;
  position: number;
  /** Present when the command sent an invitation email. */
  emailSent?: boolean;
}

/** Which portal (the organization's first when omitted), which user type, which language. */
export interface InviteOptions {
  portalId?: string;
  userTypeId?: string;
  language?: string;
}

export class InviteContact {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly options: InviteOptions = {}) {}
}
export class ResendInvitation {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly portalId?: string) {}
}
export class DisablePortalAccess {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly reason?: string, readonly portalId?: string) {}
}
export class EnablePortalAccess {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly portalId?: string) {}
}
export class RevokePortalAccess {
  constructor(
    readonly context: CommandContext,
    readonly contactId: string,
    readonly reason: string | undefined,
    readonly notify: boolean,
    readonly portalId?: string,
  ) {}
}
export class ChangePortalUserType {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly userTypeId: string | null, readonly portalId?: string) {}
}
export class AcceptInvitation {
  constructor(readonly correlationId: string, readonly clientAddress: string, readonly token: string, readonly password: string) {}
}

/**
 * The contact (as its own stream tells it; another organization's does not exist), the
 * portal (404 when unknown or another organization's) and the id of the access between them.
 */
async function locate(executor: CommandExecutor, portals: Portals, context: CommandContext, contactId: string, portalId?: string) {
  const { state: person } = await executor.load(contactStream(contactId), contact, context.organizationId);
  if (!person.exists) throw new DomainError('not-found', 'contact-not-found', 'No such contact.');
  const portal = await portals.resolve(context.organizationId, portalId);
  return { person, portal, accessId: portalAccessId(portal.id, contactId) };
}

/** The person's own choice once made, else the language it was invited in, else the portal's. */
function invitationLanguage(access: PortalAccessState, portal: PortalView): string {
  return access.preferences.language ?? access.invitationLanguage ?? portal.defaultLanguage;
}

/** An invitation goes by email: a contact whose address was removed since cannot get one (as when first invited). */
function requireEmail(person: { email?: string | null }): void {
  if (!person.email) throw new DomainError('unprocessable', 'contact-has-no-email', 'The contact needs an email address before an invitation can be sent.');
}

const DRY_RUN_INVITATION = () => ({ invitationId: '-', sentAt: new Date().toISOString(), expiresAt: new Date().toISOString() });

@CommandHandler(InviteContact)
export class InviteContactHandler implements ICommandHandler<InviteContact, PortalAccessResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly invitations: Invitations,
  ) {}

  async execute({ context, contactId, options }: InviteContact): Promise<PortalAccessResult> {
    const { person, portal, accessId } = await locate(this.executor, this.portals, context, contactId, options.portalId);
    if (options.userTypeId) this.portals.userType(portal, options.userTypeId);
    const streamName = portalAccessStream(accessId);
    // Refuse early (no email, already invited, bad language) before taking a seat or creating a secret.
    const current = await this.executor.load(streamName, portalAccess, context.organizationId);
    const command = (invitation: NewInvitation) => ({
      type: 'InviteContact' as const,
      accessId,
      portalId: portal.id,
      contact: { contactId, clientId: person.clientId!, email: person.email },
      invitation,
      userTypeId: options.userTypeId ?? null,
      language: options.language ?? null,
    });
    portalAccess.decide(command(DRY_RUN_INVITATION()), current.state);

    // The seat first, so that the portal's user limit holds even under concurrent invitations.
    const { invitation, position } = await this.portals.inviteWithSeat(context, portal.id, accessId, async () => {
      const invitation = await this.invitations.issue(context.organizationId, accessId);
      const { position } = await this.executor.execute({ streamName, decider: portalAccess, command: command(invitation), context });
      return { invitation, position };
    });
    const language = options.language ?? portal.defaultLanguage;
    const emailSent = await this.invitations.send(context.organizationId, invitation, { email: person.email!, name: person.name! }, portal, language);
    return { accessId, contactId, portalId: portal.id, status: 'Invited', position: Number(position), emailSent };
  }
}

@CommandHandler(ResendInvitation)
export class ResendInvitationHandler implements ICommandHandler<ResendInvitation, PortalAccessResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly invitations: Invitations,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, contactId, portalId }: ResendInvitation): Promise<PortalAccessResult> {
    const { person, portal, accessId } = await locate(this.executor, this.portals, context, contactId, portalId);
    const current = await this.executor.load(portalAccessStream(accessId), portalAccess, context.organizationId);
    const command = (invitation: NewInvitation) => ({
      type: 'ResendInvitation' as const,
      invitation,
      cooldownSeconds: this.config.inviteResendCooldownSeconds,
    });
    portalAccess.decide(command(DRY_RUN_INVITATION()), current.state);
    requireEmail(person);

    const invitation = await this.invitations.issue(context.organizationId, accessId);
    const { position, state } = await this.executor.execute({
      streamName: portalAccessStream(accessId),
      decider: portalAccess,
      command: command(invitation),
      context,
    });
    const to = { email: person.email!, name: person.name! };
    const emailSent = await this.invitations.send(context.organizationId, invitation, to, portal, invitationLanguage(state, portal));
    return { accessId, contactId, portalId: portal.id, status: 'Invited', position: Number(position), emailSent };
  }
}

@CommandHandler(DisablePortalAccess)
export class DisablePortalAccessHandler implements ICommandHandler<DisablePortalAccess, PortalAccessResult> {
  constructor(private readonly executor: CommandExecutor, private readonly portals: Portals) {}

  async execute({ context, contactId, reason, portalId }: DisablePortalAccess): Promise<PortalAccessResult> {
    const { portal, accessId } = await locate(this.executor, this.portals, context, contactId, portalId);
    const { position, state } = await this.executor.execute({
      streamName: portalAccessStream(accessId),
      decider: portalAccess,
      command: { type: 'DisablePortalAccess', reason },
      context,
    });
    return { accessId, contactId, portalId: portal.id, status: state.status!, position: Number(position) };
  }
}

@CommandHandler(EnablePortalAccess)
export class EnablePortalAccessHandler implements ICommandHandler<EnablePortalAccess, PortalAccessResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly invitations: Invitations,
  ) {}

  async execute({ context, contactId, portalId }: EnablePortalAccess): Promise<PortalAccessResult> {
    const { person, portal, accessId } = await locate(this.executor, this.portals, context, contactId, portalId);
    const current = await this.executor.load(portalAccessStream(accessId), portalAccess, context.organizationId);
    portalAccess.decide({ type: 'EnablePortalAccess', invitation: DRY_RUN_INVITATION() }, current.state);
    if (!current.state.accepted) requireEmail(person); // back to Invited: a fresh invitation is emailed

    // Back to Invited needs a fresh invitation; back to Active does not.
    const invitation = current.state.accepted ? undefined : await this.invitations.issue(context.organizationId, accessId);
    const { position, state } = await this.executor.execute({
      streamName: portalAccessStream(accessId),
      decider: portalAccess,
      command: { type: 'EnablePortalAccess', invitation: invitation ?? DRY_RUN_INVITATION() },
      context,
    });
    const result: PortalAccessResult = { accessId, contactId, portalId: portal.id, status: state.status!, position: Number(position) };
    if (state.status === 'Invited' && invitation) {
      const to = { email: person.email!, name: person.name! };
      result.emailSent = await this.invitations.send(context.organizationId, invitation, to, portal, invitationLanguage(state, portal));
    }
    return result;
  }
}

@CommandHandler(RevokePortalAccess)
export class RevokePortalAccessHandler implements ICommandHandler<RevokePortalAccess, PortalAccessResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly invitations: Invitations,
  ) {}

  async execute({ context, contactId, reason, notify, portalId }: RevokePortalAccess): Promise<PortalAccessResult> {
    const { person, portal, accessId } = await locate(this.executor, this.portals, context, contactId, portalId);
    const { position, state } = await this.executor.execute({
      streamName: portalAccessStream(accessId),
      decider: portalAccess,
      command: { type: 'RevokePortalAccess', reason, notify },
      context,
    });
    // A revoked access no longer counts against the portal's user limit.
    const released = await this.portals.releaseUserSeat(context, portal.id, accessId);
    const result: PortalAccessResult = {
      accessId,
      contactId,
      portalId: portal.id,
      status: state.status!,
      position: Number(released > position ? released : position),
    };
    if (notify && person.email) {
      result.emailSent = await this.invitations.sendRevocationNotice(context.organizationId, { email: person.email, name: person.name! });
    }
    return result;
  }
}

@CommandHandler(ChangePortalUserType)
export class ChangePortalUserTypeHandler implements ICommandHandler<ChangePortalUserType, PortalAccessResult & { userTypeId: string | null }> {
  constructor(private readonly executor: CommandExecutor, private readonly portals: Portals) {}

  async execute({ context, contactId, userTypeId, portalId }: ChangePortalUserType): Promise<PortalAccessResult & { userTypeId: string | null }> {
    const { portal, accessId } = await locate(this.executor, this.portals, context, contactId, portalId);
    if (userTypeId) this.portals.userType(portal, userTypeId);
    const { position, state } = await this.executor.execute({
      streamName: portalAccessStream(accessId),
      decider: portalAccess,
      command: { type: 'ChangePortalUserType', userTypeId },
      context,
    });
    return { accessId, contactId, portalId: portal.id, status: state.status!, userTypeId: state.userTypeId, position: Number(position) };
  }
}

@CommandHandler(AcceptInvitation)
export class AcceptInvitationHandler implements ICommandHandler<AcceptInvitation, PortalAccessResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly credentials: CredentialStore,
    private readonly limiter: FailureLimiter,
  ) {}

  async execute({ correlationId, clientAddress, token, password }: AcceptInvitation): Promise<PortalAccessResult> {
    const byAddress = `accept:address:${clientAddress}`;
    this.limiter.check([byAddress]);
    const record = await this.credentials.findInvitationToken(hashToken(token));
    if (!record) {
      this.limiter.fail([byAddress]);
      throw new DomainError('invalid', 'invalid-token', 'This invitation link is not valid.');
    }
    const byAccount = `accept:account:${record.accessId}`;
    this.limiter.check([byAccount]);
    const weak = passwordProblem(password);
    if (weak) {
      throw new ProblemException(422, 'weak-password', 'Unprocessable content', weak, { errors: [{ field: 'password', message: weak }] });
    }
    const context: CommandContext = {
      organizationId: record.organizationId,
      actor: { kind: 'portal-user', id: record.accessId },
      channel: 'portal',
      correlationId,
    };
    const streamName = portalAccessStream(record.accessId);
    // Check first, so that a used, superseded or expired token never touches the password.
    const current = await this.executor.load(streamName, portalAccess, record.organizationId);
    const command = { type: 'AcceptInvitation' as const, invitationId: record.invitationId, now: new Date().toISOString() };
    try {
      portalAccess.decide(command, current.state);
    } catch (error) {
      this.limiter.fail([byAddress, byAccount]);
      throw error;
    }

    const passwordHash = await hashPassword(password);
    const { position, state } = await this.executor.execute({ streamName, decider: portalAccess, command, context });
    await this.credentials.setPassword({
      organizationId: record.organizationId,
      accessId: record.accessId,
      passwordHash,
      changedAt: new Date().toISOString(),
    });
    return { accessId: record.accessId, contactId: state.contactId!, status: 'Active', position: Number(position) };
  }
}

export const PORTAL_ACCESS_COMMAND_HANDLERS = [
  InviteContactHandler,
  ResendInvitationHandler,
  DisablePortalAccessHandler,
  EnablePortalAccessHandler,
  RevokePortalAccessHandler,
  ChangePortalUserTypeHandler,
  AcceptInvitationHandler,
];
