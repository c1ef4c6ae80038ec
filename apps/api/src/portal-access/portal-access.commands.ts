import { Inject } from '@nestjs/common';
import { Command, CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  assertMayAcceptInvitation,
  assertMayInvite,
  CompaniesChangeCause,
  DomainError,
  portalAccess,
  portalAccessId,
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
import { Portals } from '../portal-configuration/portals.service';
import { PortalSeats, ReleasePortalUserSeat } from '../portal-configuration/portal-seats.commands';
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

export class InviteContact extends Command<PortalAccessResult> {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly options: InviteOptions = {}) {
    super();
  }
}

@CommandHandler(InviteContact)
export class InviteContactHandler implements ICommandHandler<InviteContact> {
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
    const contact = { contactId, clientIds, email: person.email };
    // Refuse early (no email, already invited, bad language) before taking a seat or creating a secret.
    const current = await this.executor.load(streamName, portalAccess, context.organizationId);
    assertMayInvite(current.state, contact, options.language);

    // The seat first, so that the portal's user limit holds even under concurrent invitations.
    const { position } = await this.seats.inviteWithSeat(context, portal.id, accessId, () =>
      this.executor.execute({
        streamName,
        decider: portalAccess,
        command: {
          type: 'InviteContact',
          accessId,
          portalId: portal.id,
          contact,
          invitation: this.invitations.newInvitation(),
          userTypeId: options.userTypeId ?? null,
          language: options.language ?? null,
          projectIds: options.projectIds ?? [],
        },
        context,
      }),
    );
    return { accessId, contactId, portalId: portal.id, status: 'Invited', position: Number(position), emailSent: true };
  }
}

export class ResendInvitation extends Command<PortalAccessResult> {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly portalId?: string) {
    super();
  }
}

@CommandHandler(ResendInvitation)
export class ResendInvitationHandler implements ICommandHandler<ResendInvitation> {
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

export class DisablePortalAccess extends Command<PortalAccessResult> {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly reason?: string, readonly portalId?: string) {
    super();
  }
}

@CommandHandler(DisablePortalAccess)
export class DisablePortalAccessHandler implements ICommandHandler<DisablePortalAccess> {
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

export class EnablePortalAccess extends Command<PortalAccessResult> {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly portalId?: string) {
    super();
  }
}

@CommandHandler(EnablePortalAccess)
export class EnablePortalAccessHandler implements ICommandHandler<EnablePortalAccess> {
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

export class RevokePortalAccess extends Command<PortalAccessResult> {
  constructor(
    readonly context: CommandContext,
    readonly contactId: string,
    readonly reason: string | undefined,
    readonly notify: boolean,
    readonly portalId?: string,
  ) {
    super();
  }
}

@CommandHandler(RevokePortalAccess)
export class RevokePortalAccessHandler implements ICommandHandler<RevokePortalAccess> {
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

export class ChangePortalUserType extends Command<PortalAccessResult & { userTypeId: string | null }> {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly userTypeId: string | null, readonly portalId?: string) {
    super();
  }
}

@CommandHandler(ChangePortalUserType)
export class ChangePortalUserTypeHandler implements ICommandHandler<ChangePortalUserType> {
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
export class FollowContactCompanies extends Command<ContactCompaniesFollowed> {
  constructor(readonly context: CommandContext, readonly contactId: string, readonly cause: CompaniesChangeCause) {
    super();
  }
}

@CommandHandler(FollowContactCompanies)
export class FollowContactCompaniesHandler implements ICommandHandler<FollowContactCompanies> {
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
        const revoked = await this.commands.execute(new RevokePortalAccess(context, contactId, cause === 'client-archived' ? 'client company archived' : NO_ACTIVE_CLIENT, false, portalId));
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

export class AcceptInvitation extends Command<PortalAccessResult> {
  constructor(readonly correlationId: string, readonly clientAddress: string, readonly token: string, readonly password: string) {
    super();
  }
}

@CommandHandler(AcceptInvitation)
export class AcceptInvitationHandler implements ICommandHandler<AcceptInvitation> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly credentials: CredentialStore,
    private readonly invitations: Invitations,
    private readonly limiter: FailureLimiter,
  ) {}

  async execute({ correlationId, clientAddress, token, password }: AcceptInvitation): Promise<PortalAccessResult> {
    const byAddress = `accept:address:${clientAddress}`;
    await this.limiter.check([byAddress]);
    const record = this.invitations.read(token);
    if (!record) {
      await this.limiter.fail([byAddress]);
      throw new DomainError('invalid', 'invalid-token', 'This invitation link is not valid.');
    }
    const byAccount = `accept:account:${record.accessId}`;
    await this.limiter.check([byAccount]);
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
      assertMayAcceptInvitation(current.state, command.invitationId, command.now);
    } catch (error) {
      await this.limiter.fail([byAddress, byAccount]);
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
