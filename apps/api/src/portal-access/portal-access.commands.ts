import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  CompaniesChangeCause,
  DomainError,
  NewInvitation,
  portalAccess,
  portalAccessId,
  PortalAccessState,
  portalAccessStream,
  PortalAccessStatus,
} from '@app/domain';
import { CredentialStore, hashPassword, passwordProblem } from '@app/credentials';
import { FailureLimiter } from '../auth/failure-limiter';
import { ProblemException } from '../http/problem';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { APP_CONFIG } from '../infrastructure/tokens';
import { CommandContext } from '../http/request-context';
import { Portals } from '../portals/portals.service';
import { PortalSeats, ReleasePortalUserSeat } from '../portals/portal-seats.commands';
import { Invitations } from './invitations';
import { currentCompanies } from '../directory/contact-companies';

export interface PortalAccessResult {
  accessId: string;
  contactId: string;
  portalId?: string;
  status: PortalAccessStatus;
  position: number;
  /**
   * Present when the command causes an email (an invitation, a revocation notice): it is
   * composed and sent after the commit by the portal access mailer, from the outbox.
   */
  emailSent?: boolean;
}

/** Which portal (the organization's first when omitted), which user type, which language. */
export interface InviteOptions {
  portalId?: string;
  userTypeId?: string;
  language?: string;
  /** The projects the person is invited into as a client user (the email names them). */
  projectIds?: string[];
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
/** The contact's companies changed (or one was archived): each of its accesses follows. */
export class FollowContactCompanies {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly cause: CompaniesChangeCause) {}
}
export class AcceptInvitation {
  constructor(readonly correlationId: string, readonly clientAddress: string, readonly token: string, readonly password: string) {}
}

/**
 * The contact (as its own stream tells it; another organization's does not exist), the
 * portal (404 when unknown or another organization's) and the id of the access between them.
 */
async function locate(executor: CommandExecutor, portals: Portals, context: CommandContext, contactId: string, portalId?: string) {
  const { person, clientIds } = await currentCompanies(executor, context.organizationId, contactId);
  if (!person.exists) throw new DomainError('not-found', 'contact-not-found', 'No such contact.');
  const portal = await portals.resolve(context.organizationId, portalId);
  return { person, clientIds, portal, accessId: portalAccessId(portal.id, contactId) };
}

const DRY_RUN_INVITATION = () => ({ invitationId: '-', sentAt: new Date().toISOString(), expiresAt: new Date().toISOString() });

@CommandHandler(InviteContact)
export class InviteContactHandler implements ICommandHandler<InviteContact, PortalAccessResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly seats: PortalSeats,
    private readonly invitations: Invitations,
  ) {}

  async execute({ context, contactId, options }: InviteContact): Promise<PortalAccessResult> {
    const { person, clientIds, portal, accessId } = await locate(this.executor, this.portals, context, contactId, options.portalId);
    if (options.userTypeId) this.portals.userType(portal, options.userTypeId);
    const streamName = portalAccessStream(accessId);
    // Refuse early (no email, already invited, bad language) before taking a seat or creating a secret.
    const current = await this.executor.load(streamName, portalAccess, context.organizationId);
    const command = (invitation: NewInvitation) => ({
      type: 'InviteContact' as const,
      accessId,
      portalId: portal.id,
      contact: { contactId, clientIds, email: person.email },
      invitation,
      userTypeId: options.userTypeId ?? null,
      language: options.language ?? null,
      projectIds: options.projectIds ?? [],
    });
    portalAccess.decide(command(DRY_RUN_INVITATION()), current.state);

    // The seat first, so that the portal's user limit holds even under concurrent invitations.
    const { position } = await this.seats.inviteWithSeat(context, portal.id, accessId, () =>
      this.executor.execute({ streamName, decider: portalAccess, command: command(this.invitations.newInvitation()), context }),
    );
    return { accessId, contactId, portalId: portal.id, status: 'Invited', position: Number(position), emailSent: true };
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
    const { position } = await this.executor.execute({
      streamName: portalAccessStream(accessId),
      decider: portalAccess,
      command: { type: 'ResendInvitation', invitation: this.invitations.newInvitation(), cooldownSeconds: this.config.inviteResendCooldownSeconds, email: person.email },
      context,
    });
    return { accessId, contactId, portalId: portal.id, status: 'Invited', position: Number(position), emailSent: true };
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
    // Back to Invited comes with a fresh invitation (emailed by the mailer); back to Active does not.
    const { position, state } = await this.executor.execute({
      streamName: portalAccessStream(accessId),
      decider: portalAccess,
      command: { type: 'EnablePortalAccess', invitation: this.invitations.newInvitation(), email: person.email },
      context,
    });
    const result: PortalAccessResult = { accessId, contactId, portalId: portal.id, status: state.status!, position: Number(position) };
    if (state.status === 'Invited') result.emailSent = true;
    return result;
  }
}

@CommandHandler(RevokePortalAccess)
export class RevokePortalAccessHandler implements ICommandHandler<RevokePortalAccess, PortalAccessResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly commands: CommandBus,
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
    const released = await this.commands.execute(new ReleasePortalUserSeat(context, portal.id, accessId));
    const result: PortalAccessResult = {
      accessId,
      contactId,
      portalId: portal.id,
      status: state.status!,
      position: Number(released > position ? released : position),
    };
    if (notify && person.email) result.emailSent = true;
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

export interface ContactCompaniesFollowed {
  /** The last position written (0 when nothing was). */
  position: number;
  /** Accesses whose companies were recorded anew. */
  changedAccesses: number;
  /** Accesses revoked because the contact belongs to no company that is not archived any more. */
  revokedAccesses: number;
}

/**
 * Each portal access of a contact records the companies it acts for after they changed
 * (PortalAccessCompaniesChanged), or is revoked when none is left, so that the audit history
 * tells when a portal user's reach changed and why. Authorization does not wait for this: it
 * reads the contact and its companies on every request. The accesses are found without a
 * projection (one per portal of the organization, with ids derived from portal and contact),
 * and following again changes nothing, so a repeated command finishes an interrupted one.
 */
@CommandHandler(FollowContactCompanies)
export class FollowContactCompaniesHandler implements ICommandHandler<FollowContactCompanies, ContactCompaniesFollowed> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly portals: Portals,
    private readonly commands: CommandBus,
  ) {}

  async execute({ context, contactId, cause }: FollowContactCompanies): Promise<ContactCompaniesFollowed> {
    const { person, clientIds } = await currentCompanies(this.executor, context.organizationId, contactId);
    const followed: ContactCompaniesFollowed = { position: 0, changedAccesses: 0, revokedAccesses: 0 };
    if (!person.exists) return followed;
    for (const portalId of await this.portals.portalIdsOf(context.organizationId)) {
      const accessId = portalAccessId(portalId, contactId);
      const streamName = portalAccessStream(accessId);
      const { state } = await this.executor.load(streamName, portalAccess, context.organizationId);
      if (state.status === null || state.status === 'Revoked') continue;
      if (clientIds.length === 0) {
        const revoked: PortalAccessResult = await this.commands.execute(new RevokePortalAccess(context, contactId, cause === 'client-archived' ? 'client company archived' : NO_ACTIVE_CLIENT, false, portalId));
        followed.revokedAccesses += 1;
        followed.position = Math.max(followed.position, revoked.position);
        continue;
      }
      const { events, position } = await this.executor.execute({
        streamName,
        decider: portalAccess,
        command: { type: 'RecordPortalAccessCompanies', clientIds, cause },
        context,
      });
      if (events.length === 0) continue;
      followed.changedAccesses += 1;
      followed.position = Math.max(followed.position, Number(position));
    }
    return followed;
  }
}

/** The reason recorded when an access is revoked because no company of its contact is left (other than by archiving one). */
export const NO_ACTIVE_CLIENT = 'no active client company';

@CommandHandler(AcceptInvitation)
export class AcceptInvitationHandler implements ICommandHandler<AcceptInvitation, PortalAccessResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly credentials: CredentialStore,
    private readonly invitations: Invitations,
    private readonly limiter: FailureLimiter,
  ) {}

  async execute({ correlationId, clientAddress, token, password }: AcceptInvitation): Promise<PortalAccessResult> {
    const byAddress = `accept:address:${clientAddress}`;
    this.limiter.check([byAddress]);
    const record = this.invitations.read(token);
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
  FollowContactCompaniesHandler,
];
