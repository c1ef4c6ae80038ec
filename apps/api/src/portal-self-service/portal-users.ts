import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { assertMayResetPassword, contact, contactStream, DomainError, normalizeEmail, portalAccess, portalAccessStream } from '@app/domain';
import { CommandBus } from '@nestjs/cqrs';
import { CredentialStore, TokenSigner, verifyPassword } from '@app/credentials';
import { EventStore } from '@app/event-store';
import { PORTAL_ACCESS_COLLECTION, ProjectionWaiter, ReadStore } from '@app/projections';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { ProblemException } from '../http/problem';
import { CommandContext } from '../http/request-context';
import { APP_CONFIG, EVENT_STORE, READ_STORE } from '../infrastructure/tokens';
import { FailureLimiter } from '../auth/failure-limiter';
import { PortalSessions } from '../auth/portal-sessions';
import { PortalPrincipal } from '../auth/principal';
import { Organizations } from '../organizations/organizations';
import { MeResponse, PASSWORD_RESET_STATUSES, PasswordResetDescription, SessionResponse } from './portal.dto';
import { readResetToken, RequestPasswordReset, ResetTokenRecord } from './portal.commands';

/** How long sign-in waits for the projections at most (a stalled projector must not stall sign-in for long). */
const SIGN_IN_WAIT_MS = 2_000;
/** Verified when the email is unknown, so that both answers take the same time. */
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** What a portal user does for itself: sign in, ask for a password reset, see its profile (its writes: portal.commands.ts). */
@Injectable()
export class PortalUsers implements OnApplicationShutdown {
  private readonly logger = new Logger('PortalUsers');
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly executor: CommandExecutor,
    private readonly commands: CommandBus,
    private readonly credentials: CredentialStore,
    private readonly sessions: PortalSessions,
    private readonly limiter: FailureLimiter,
    private readonly organizations: Organizations,
    private readonly signer: TokenSigner,
    private readonly waiter: ProjectionWaiter,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async signIn(email: string, password: string, portalId: string | undefined, clientAddress: string): Promise<SessionResponse> {
    const account = normalizeEmail(email) ?? email;
    const limits = await this.limiter.signInLimits(account, clientAddress);
    await this.limiter.check(limits);
    // Who may sign in is read from the portal status projection: let it catch up first, so an
    // invitation accepted a moment ago signs in (every sign-in waits alike; no timing tell).
    await this.waiter.waitFor(await this.events.headPosition(), SIGN_IN_WAIT_MS);
    const candidates = await this.activeAccessesOf(email, portalId);
    let signedIn: { organizationId: string; accessId: string } | undefined;
    let verified = false;
    for (const candidate of candidates) {
      const stored = await this.credentials.getPassword(candidate.accessId);
      if (!stored) continue;
      verified = true;
      if (await verifyPassword(password, stored.passwordHash)) {
        signedIn = candidate;
        break;
      }
    }
    if (!verified) await verifyPassword(password, DUMMY_HASH);
    if (signedIn) {
      // The streams, not the projection, have the last word: the access is Active and its
      // contact still belongs to a company that is not archived.
      const session = await this.sessions.start(signedIn.organizationId, signedIn.accessId);
      if (session) {
        await this.limiter.signedIn(account, clientAddress);
        return session;
      }
    }
    await this.limiter.fail(limits);
    throw new ProblemException(401, 'invalid-credentials', 'Unauthorized', 'The email or the password is wrong, or the account cannot sign in.');
  }

  /**
   * Always answers the same (202) at once; the emails go out in the background, so neither the
   * answer nor its timing tells whether the email has an account.
   */
  async requestPasswordReset(email: string, clientAddress: string, correlationId: string): Promise<void> {
    const address = `password-reset:address:${clientAddress}`;
    const account = `password-reset:account:${normalizeEmail(email)}`;
    await this.limiter.count([address, account]); // every request counts: no email bombing
    const work = this.requestResets(email, correlationId).catch((error) =>
      this.logger.error(`Password reset could not be processed: ${(error as Error).message}`),
    );
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
  }

  /**
   * Describes a password reset link without using it: whose account, in which language, and
   * whether it can still be used. An unknown token answers 400 `invalid-token` and counts as a
   * failed confirmation for the client address.
   */
  async describePasswordReset(token: string, clientAddress: string): Promise<PasswordResetDescription> {
    const address = `password-reset-confirm:address:${clientAddress}`;
    await this.limiter.check([address]);
    const record = readResetToken(this.signer, token);
    if (!record) {
      await this.limiter.fail([address]);
      throw new DomainError('invalid', 'invalid-token', 'This password reset link is not valid.');
    }
    const [access, organization] = await Promise.all([
      this.executor.load(portalAccessStream(record.accessId), portalAccess, record.organizationId),
      this.organizations.get(record.organizationId),
    ]);
    const { state } = access;
    let status: PasswordResetDescription['status'] = 'valid';
    try {
      assertMayResetPassword(state, record.requestId, new Date().toISOString());
    } catch (error) {
      const reason = error instanceof DomainError ? error.details.reason : undefined;
      status = PASSWORD_RESET_STATUSES.includes(reason as PasswordResetDescription['status']) ? (reason as PasswordResetDescription['status']) : 'access-not-active';
    }
    return {
      status,
      organizationName: organization.name ?? this.config.organizationName,
      portalId: state.portalId ?? '',
      email: state.email ?? '',
      language: state.preferences.language ?? state.invitationLanguage ?? null,
      expiresAt: state.passwordReset?.requestId === record.requestId ? state.passwordReset.expiresAt : await this.resetExpiryOf(record),
    };
  }

  /** When an earlier reset request expired: from its event. */
  private async resetExpiryOf(record: ResetTokenRecord): Promise<string> {
    const { events } = await this.events.readStream(portalAccessStream(record.accessId));
    const requested = events.find((event) => event.type === 'PortalPasswordResetRequested' && event.data.requestId === record.requestId);
    return (requested?.data.expiresAt as string | undefined) ?? new Date(0).toISOString();
  }

  async me(user: PortalPrincipal): Promise<MeResponse> {
    const [person, access, organization] = await Promise.all([
      this.executor.load(contactStream(user.contactId), contact, user.organizationId),
      this.executor.load(portalAccessStream(user.accessId), portalAccess, user.organizationId),
      this.organizations.get(user.organizationId),
    ]);
    const preferences = access.state.preferences;
    return {
      contactId: user.contactId,
      clientId: user.clientId,
      clientIds: user.clientIds,
      email: person.state.email!,
      name: person.state.name!,
      phone: person.state.phone ?? null,
      preferences: {
        language: preferences.language ?? 'en',
        timeFormat: preferences.timeFormat ?? '24h',
        timeZone: preferences.timeZone ?? organization.timeZone,
        country: preferences.country ?? null,
      },
    };
  }

  /** Ends the session the request came with. */
  async signOut(user: PortalPrincipal): Promise<void> {
    await this.sessions.signOut(user.sessionId);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.background]);
  }

  /** A reset request (RequestPasswordReset) per account that may sign in with this email. */
  private async requestResets(email: string, correlationId: string): Promise<void> {
    await this.waiter.waitFor(await this.events.headPosition(), SIGN_IN_WAIT_MS);
    for (const candidate of await this.activeAccessesOf(email, undefined)) {
      const requestId = randomUUID();
      const expiresAt = new Date(Date.now() + this.config.passwordResetTtlSeconds * 1000).toISOString();
      const context: CommandContext = { organizationId: candidate.organizationId, actor: { kind: 'system', id: 'password-reset' }, channel: 'portal', correlationId };
      await this.commands.execute(new RequestPasswordReset(context, candidate.accessId, requestId, expiresAt));
    }
  }

  /** Accesses that may sign in with this email (the read model finds them, the streams decide). */
  private async activeAccessesOf(email: string, portalId: string | undefined) {
    const normalized = normalizeEmail(email);
    if (!normalized) return [];
    const docs = await this.readStore.find(PORTAL_ACCESS_COLLECTION, { where: { email: normalized }, limit: 20 });
    return docs
      .filter((doc) => doc.status === 'Active' && (!portalId || doc.portalId === portalId))
      .map((doc) => ({ organizationId: doc.organizationId, accessId: doc.id, email: normalized }));
  }
}
