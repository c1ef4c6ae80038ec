import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  contact,
  contactStream,
  DEFAULT_PORTAL_ID,
  DomainError,
  portalAccess,
  portalAccessId,
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
import { Invitations } from './invitations';

export interface PortalAccessResult {
  accessId: string;
  contactId: string;
  status: PortalAccessStatus;
  position: number;
  /** Present when the command sent an invitation email. */
  emailSent?: boolean;
}

export class InviteContact {
  constructor(readonly context: CommandContext, readonly contactId: string) {}
}
export class ResendInvitation {
  constructor(readonly context: CommandContext, readonly contactId: string) {}
}
export class DisablePortalAccess {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly reason?: string) {}
}
export class EnablePortalAccess {
  constructor(readonly context: CommandContext, readonly contactId: string) {}
}
export class RevokePortalAccess {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly reason: string | undefined, readonly notify: boolean) {}
}
export class AcceptInvitation {
  constructor(readonly correlationId: string, readonly clientAddress: string, readonly token: string, readonly password: string) {}
}

/** The contact as its own stream tells it; another organization's contact does not exist. */
async function loadContact(executor: CommandExecutor, context: CommandContext, contactId: string) {
  const { state } = await executor.load(contactStream(contactId), contact, context.organizationId);
  if (!state.exists) throw new DomainError('not-found', 'contact-not-found', 'No such contact.');
  return state;
}

@CommandHandler(InviteContact)
export class InviteContactHandler implements ICommandHandler<InviteContact, PortalAccessResult> {
  constructor(private readonly executor: CommandExecutor, private readonly invitations: Invitations) {}

  async execute({ context, contactId }: InviteContact): Promise<PortalAccessResult> {
    const person = await loadContact(this.executor, context, contactId);
    const accessId = portalAccessId(DEFAULT_PORTAL_ID, contactId);
    // Refuse early (no email, already invited) before creating a secret for nothing.
    const current = await this.executor.load(portalAccessStream(accessId), portalAccess, context.organizationId);
    const dryRun = { invitationId: '-', sentAt: new Date().toISOString(), expiresAt: new Date().toISOString() };
    const command = (invitation: typeof dryRun) => ({
      type: 'InviteContact' as const,
      accessId,
      portalId: DEFAULT_PORTAL_ID,
      contact: { contactId, clientId: person.clientId!, email: person.email },
      invitation,
    });
    portalAccess.decide(command(dryRun), current.state);

    const invitation = await this.invitations.issue(context.organizationId, accessId);
    const { position } = await this.executor.execute({
      streamName: portalAccessStream(accessId),
      decider: portalAccess,
      command: command(invitation),
      context,
    });
    const emailSent = await this.invitations.send(context.organizationId, invitation, { email: person.email!, name: person.name! });
    return { accessId, contactId, status: 'Invited', position: Number(position), emailSent };
  }
}

@CommandHandler(ResendInvitation)
export class ResendInvitationHandler implements ICommandHandler<ResendInvitation, PortalAccessResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly invitations: Invitations,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, contactId }: ResendInvitation): Promise<PortalAccessResult> {
    const person = await loadContact(this.executor, context, contactId);
    const accessId = portalAccessId(DEFAULT_PORTAL_ID, contactId);
    const current = await this.executor.load(portalAccessStream(accessId), portalAccess, context.organizationId);
    const command = (invitation: { invitationId: string; sentAt: string; expiresAt: string }) => ({
      type: 'ResendInvitation' as const,
      invitation,
      cooldownSeconds: this.config.inviteResendCooldownSeconds,
    });
    const now = new Date().toISOString();
    portalAccess.decide(command({ invitationId: '-', sentAt: now, expiresAt: now }), current.state);

    const invitation = await this.invitations.issue(context.organizationId, accessId);
    const { position } = await this.executor.execute({
      streamName: portalAccessStream(accessId),
      decider: portalAccess,
      command: command(invitation),
      context,
    });
    const emailSent = await this.invitations.send(context.organizationId, invitation, { email: person.email!, name: person.name! });
    return { accessId, contactId, status: 'Invited', position: Number(position), emailSent };
  }
}

@CommandHandler(DisablePortalAccess)
export class DisablePortalAccessHandler implements ICommandHandler<DisablePortalAccess, PortalAccessResult> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, contactId, reason }: DisablePortalAccess): Promise<PortalAccessResult> {
    await loadContact(this.executor, context, contactId);
    const accessId = portalAccessId(DEFAULT_PORTAL_ID, contactId);
    const { position, state } = await this.executor.execute({
      streamName: portalAccessStream(accessId),
      decider: portalAccess,
      command: { type: 'DisablePortalAccess', reason },
      context,
    });
    return { accessId, contactId, status: state.status!, position: Number(position) };
  }
}

@CommandHandler(EnablePortalAccess)
export class EnablePortalAccessHandler implements ICommandHandler<EnablePortalAccess, PortalAccessResult> {
  constructor(private readonly executor: CommandExecutor, private readonly invitations: Invitations) {}

  async execute({ context, contactId }: EnablePortalAccess): Promise<PortalAccessResult> {
    const person = await loadContact(this.executor, context, contactId);
    const accessId = portalAccessId(DEFAULT_PORTAL_ID, contactId);
    const current = await this.executor.load(portalAccessStream(accessId), portalAccess, context.organizationId);
    const now = new Date().toISOString();
    portalAccess.decide({ type: 'EnablePortalAccess', invitation: { invitationId: '-', sentAt: now, expiresAt: now } }, current.state);

    // Back to Invited needs a fresh invitation; back to Active does not.
    const invitation = current.state.accepted ? undefined : await this.invitations.issue(context.organizationId, accessId);
    const { position, state } = await this.executor.execute({
      streamName: portalAccessStream(accessId),
      decider: portalAccess,
      command: { type: 'EnablePortalAccess', invitation: invitation ?? { invitationId: '-', sentAt: now, expiresAt: now } },
      context,
    });
    const result: PortalAccessResult = { accessId, contactId, status: state.status!, position: Number(position) };
    if (state.status === 'Invited' && invitation) {
      result.emailSent = await this.invitations.send(context.organizationId, invitation, { email: person.email!, name: person.name! });
    }
    return result;
  }
}

@CommandHandler(RevokePortalAccess)
export class RevokePortalAccessHandler implements ICommandHandler<RevokePortalAccess, PortalAccessResult> {
  constructor(private readonly executor: CommandExecutor, private readonly invitations: Invitations) {}

  async execute({ context, contactId, reason, notify }: RevokePortalAccess): Promise<PortalAccessResult> {
    const person = await loadContact(this.executor, context, contactId);
    const accessId = portalAccessId(DEFAULT_PORTAL_ID, contactId);
    const { position, state } = await this.executor.execute({
      streamName: portalAccessStream(accessId),
      decider: portalAccess,
      command: { type: 'RevokePortalAccess', reason, notify },
      context,
    });
    const result: PortalAccessResult = { accessId, contactId, status: state.status!, position: Number(position) };
    if (notify && person.email) {
      result.emailSent = await this.invitations.sendRevocationNotice(context.organizationId, { email: person.email, name: person.name! });
    }
    return result;
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
  AcceptInvitationHandler,
];
