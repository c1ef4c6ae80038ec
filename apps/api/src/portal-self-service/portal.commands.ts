import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { assertMayResetPassword, DomainError, portalAccess, portalAccessStream, PortalPreferences } from '@app/domain';
import { CredentialStore, hashPassword, passwordProblem, TokenSigner } from '@app/credentials';
import { CommandExecutor } from '../commands/command-executor';
import { ProblemException } from '../http/problem';
import { CommandContext } from '../http/request-context';
import { FailureLimiter } from '../auth/failure-limiter';
import { PortalPrincipal } from '../auth/principal';

/* What a portal user writes for itself (its own contact details go through the directory's UpdateContact). */

/** What a password reset token names (it is derived from these, and signed). */
export interface ResetTokenRecord {
  organizationId: string;
  accessId: string;
  requestId: string;
}

/** What a reset token names, if this service signed it; null otherwise. */
export function readResetToken(signer: TokenSigner, token: string): ResetTokenRecord | null {
  const ids = signer.verify('password-reset', token, 3);
  return ids && { organizationId: ids[0], accessId: ids[1], requestId: ids[2] };
}

/**
 * A reset request for an access that may sign in: its event; the email with its link (a token
 * derived from the request's ids) goes out from the portal access mailer after the commit.
 */
export class RequestPasswordReset extends Command<void> {
  constructor(
    readonly context: CommandContext,
    readonly accessId: string,
    readonly requestId: string,
    readonly expiresAt: string,
  ) {
    super();
  }
}

@CommandHandler(RequestPasswordReset)
export class RequestPasswordResetHandler implements ICommandHandler<RequestPasswordReset> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, accessId, requestId, expiresAt }: RequestPasswordReset): Promise<void> {
    await this.executor.execute({ streamName: portalAccessStream(accessId), decider: portalAccess, command: { type: 'RequestPasswordReset', requestId, expiresAt }, context });
  }
}

/**
 * A new password with the emailed token: the token must be this service's, its request the
 * latest, unused and unexpired, on an Active access (checked before the password is hashed);
 * the new password's changedAt ends every session that began before it.
 */
export class ResetPortalPassword extends Command<{ status: 'Active'; position: number }> {
  constructor(
    readonly correlationId: string,
    readonly clientAddress: string,
    readonly token: string,
    readonly password: string,
  ) {
    super();
  }
}

@CommandHandler(ResetPortalPassword)
export class ResetPortalPasswordHandler implements ICommandHandler<ResetPortalPassword> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly credentials: CredentialStore,
    private readonly limiter: FailureLimiter,
    private readonly signer: TokenSigner,
  ) {}

  async execute({ correlationId, clientAddress, token, password }: ResetPortalPassword): Promise<{ status: 'Active'; position: number }> {
    const address = `password-reset-confirm:address:${clientAddress}`;
    await this.limiter.check([address]);
    const record = readResetToken(this.signer, token);
    if (!record) {
      await this.limiter.fail([address]);
      throw new DomainError('invalid', 'invalid-token', 'This password reset link is not valid.');
    }
    const account = `password-reset-confirm:account:${record.accessId}`;
    await this.limiter.check([account]);
    const weak = passwordProblem(password);
    if (weak) throw new ProblemException(422, 'weak-password', 'Unprocessable content', weak, { errors: [{ field: 'password', message: weak }] });

    const streamName = portalAccessStream(record.accessId);
    const command = { type: 'ResetPortalPassword' as const, requestId: record.requestId, now: new Date().toISOString() };
    const current = await this.executor.load(streamName, portalAccess, record.organizationId);
    try {
      assertMayResetPassword(current.state, command.requestId, command.now);
    } catch (error) {
      await this.limiter.fail([address, account]);
      throw error;
    }
    const passwordHash = await hashPassword(password);
    const context: CommandContext = {
      organizationId: record.organizationId,
      actor: { kind: 'portal-user', id: record.accessId },
      channel: 'portal',
      correlationId,
    };
    const { position } = await this.executor.execute({ streamName, decider: portalAccess, command, context });
    // A new changedAt ends every session that began before it.
    await this.credentials.setPassword({ organizationId: record.organizationId, accessId: record.accessId, passwordHash, changedAt: new Date().toISOString() });
    return { status: 'Active', position: Number(position) };
  }
}

/** The portal user's language, time format, time zone or country (what differs is written). */
export class ChangePortalPreferences extends Command<{ position: number }> {
  constructor(
    readonly context: CommandContext,
    readonly user: PortalPrincipal,
    readonly changes: Partial<PortalPreferences>,
  ) {
    super();
  }
}

@CommandHandler(ChangePortalPreferences)
export class ChangePortalPreferencesHandler implements ICommandHandler<ChangePortalPreferences> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, user, changes }: ChangePortalPreferences): Promise<{ position: number }> {
    const { position } = await this.executor.execute({
      streamName: portalAccessStream(user.accessId),
      decider: portalAccess,
      command: { type: 'ChangePortalPreferences', changes },
      context,
    });
    return { position: Number(position) };
  }
}

/** Sign out everywhere: every session of the user ends, this one included (PortalSessionsEnded). */
export class EndPortalSessions extends Command<{ position: number }> {
  constructor(
    readonly context: CommandContext,
    readonly user: PortalPrincipal,
  ) {
    super();
  }
}

@CommandHandler(EndPortalSessions)
export class EndPortalSessionsHandler implements ICommandHandler<EndPortalSessions> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ context, user }: EndPortalSessions): Promise<{ position: number }> {
    const { position } = await this.executor.execute({ streamName: portalAccessStream(user.accessId), decider: portalAccess, command: { type: 'EndPortalSessions' }, context });
    return { position: Number(position) };
  }
}

export const PORTAL_USER_COMMAND_HANDLERS = [RequestPasswordResetHandler, ResetPortalPasswordHandler, ChangePortalPreferencesHandler, EndPortalSessionsHandler];
