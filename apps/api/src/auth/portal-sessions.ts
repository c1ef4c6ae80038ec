import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { portalAccess, portalAccessStream } from '@app/domain';
import { CredentialStore, KeyValueStore } from '@app/credentials';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { currentCompanies } from '../directory/contact-companies';
import { APP_CONFIG, KEY_VALUE_STORE } from '../infrastructure/tokens';
import { PortalPrincipal } from './principal';

interface SessionClaims {
  v: 2;
  sid: string;
  org: string;
  acc: string;
  /** The access's event count when the session began (see PortalAccessState.sessionsValidFrom). */
  ver: number;
  /** Issued and expiry times, in milliseconds. */
  iat: number;
  exp: number;
}

/** Sessions signed out one by one (namespace of the key-value store; key: session id). */
const SIGNED_OUT = 'signed-out-session';

/**
 * Portal sessions: a short-lived token signed with HMAC-SHA256 (SESSION_SECRET). Every request
 * also checks the access in its event stream, so a session of an access that is disabled or
 * revoked, whose password changed, or that signed out everywhere after the session began,
 * stops working at once, and stays ended when the access is enabled again; a session signed
 * out on its own is remembered until it would have expired.
 */
@Injectable()
export class PortalSessions implements OnModuleInit {
  private readonly logger = new Logger('PortalSessions');
  private secret = Buffer.alloc(0);

  constructor(
    private readonly executor: CommandExecutor,
    private readonly credentials: CredentialStore,
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.secret = Buffer.from(this.config.sessionSecret ?? (await this.generatedSecret()), 'utf8');
  }

  /** A session of the access as it is now (`eventCount` of its folded state). */
  private issue(organizationId: string, accessId: string, eventCount: number): { token: string; expiresAt: string } {
    const now = Date.now();
    const claims: SessionClaims = {
      v: 2,
      sid: randomUUID(),
      org: organizationId,
      acc: accessId,
      ver: eventCount,
      iat: now,
      exp: now + this.config.sessionTtlSeconds * 1000,
    };
    const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
    return { token: `cps_${payload}.${this.sign(payload)}`, expiresAt: new Date(claims.exp).toISOString() };
  }

  async authenticate(authorization: string | undefined): Promise<PortalPrincipal | undefined> {
    const match = /^Bearer\s+cps_([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})\s*$/.exec(authorization ?? '');
    if (!match) return undefined;
    const [, payload, signature] = match;
    const expected = Buffer.from(this.sign(payload), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: SessionClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionClaims;
    } catch {
      return undefined;
    }
    if (claims.v !== 2 || typeof claims.exp !== 'number' || claims.exp <= Date.now() || typeof claims.ver !== 'number') return undefined;

    const user = await this.activeUser(claims.org, claims.acc, claims.ver);
    if (!user) return undefined;
    if (await this.kv.get(SIGNED_OUT, claims.sid)) return undefined;
    const password = await this.credentials.getPassword(claims.acc);
    if (!password || Date.parse(password.changedAt) > claims.iat) return undefined;
    return { ...user, sessionId: claims.sid };
  }

  /** A new session for an access whose user may sign in now (see activeUser); none otherwise. */
  async start(organizationId: string, accessId: string): Promise<{ token: string; expiresAt: string } | undefined> {
    const active = await this.activeAccess(organizationId, accessId);
    return active && this.issue(organizationId, accessId, active.eventCount);
  }

  /**
   * The portal user behind an access, decided from the facts as they are now: the access is
   * Active (its own stream), and its contact belongs to at least one company that is not
   * archived (the contact's and companies' streams). Otherwise: none, and no session works.
   * With `sessionVersion` (a session's `ver`), also none when the access ended its sessions since.
   */
  async activeUser(organizationId: string, accessId: string, sessionVersion?: number): Promise<Omit<PortalPrincipal, 'sessionId'> | undefined> {
    const active = await this.activeAccess(organizationId, accessId);
    if (!active || (sessionVersion !== undefined && sessionVersion < active.sessionsValidFrom)) return undefined;
    return active.user;
  }

  private async activeAccess(organizationId: string, accessId: string) {
    const { state } = await this.executor.load(portalAccessStream(accessId), portalAccess, organizationId);
    if (state.status !== 'Active' || !state.contactId) return undefined;
    const { clientIds } = await currentCompanies(this.executor, organizationId, state.contactId);
    if (clientIds.length === 0) return undefined;
    const user: Omit<PortalPrincipal, 'sessionId'> = {
      kind: 'portal-user',
      organizationId,
      accessId,
      contactId: state.contactId,
      clientIds,
      clientId: clientIds[0],
      portalId: state.portalId!,
      userTypeId: state.userTypeId,
    };
    return { user, eventCount: state.eventCount, sessionsValidFrom: state.sessionsValidFrom };
  }

  /** Ends one session (the caller's own): it is refused from now until it would have expired. */
  async signOut(sessionId: string): Promise<void> {
    await this.kv.set(SIGNED_OUT, sessionId, { signedOutAt: new Date().toISOString() });
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  /** No SESSION_SECRET: generate one at first start into DATA_DIR/session-secret (0600). */
  private async generatedSecret(): Promise<string> {
    const file = join(this.config.dataDir, 'session-secret');
    try {
      const existing = (await readFile(file, 'utf8')).trim();
      if (existing) return existing;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(this.config.dataDir, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    this.logger.log(`Generated the session signing secret into ${file}`);
    return secret;
  }
}
