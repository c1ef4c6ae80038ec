import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { portalAccess, portalAccessStream } from '@app/domain';
import { CredentialStore } from '@app/credentials';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { currentCompanies } from '../directory/contact-companies';
import { APP_CONFIG } from '../infrastructure/tokens';
import { PortalPrincipal } from './principal';

interface SessionClaims {
  v: 1;
  sid: string;
  org: string;
  acc: string;
  /** Issued and expiry times, in milliseconds. */
  iat: number;
  exp: number;
}

/**
 * Portal sessions: a short-lived token signed with HMAC-SHA256 (SESSION_SECRET). Every request
 * also checks the access in its event stream, so a session of an access that is disabled or
 * revoked, or whose password changed after the session began, stops working at once.
 */
@Injectable()
export class PortalSessions implements OnModuleInit {
  private readonly logger = new Logger('PortalSessions');
  private secret = Buffer.alloc(0);

  constructor(
    private readonly executor: CommandExecutor,
    private readonly credentials: CredentialStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.secret = Buffer.from(this.config.sessionSecret ?? (await this.generatedSecret()), 'utf8');
  }

  issue(organizationId: string, accessId: string): { token: string; expiresAt: string } {
    const now = Date.now();
    const claims: SessionClaims = { v: 1, sid: randomUUID(), org: organizationId, acc: accessId, iat: now, exp: now + this.config.sessionTtlSeconds * 1000 };
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
    if (claims.v !== 1 || typeof claims.exp !== 'number' || claims.exp <= Date.now()) return undefined;

    const password = await this.credentials.getPassword(claims.acc);
    if (!password || Date.parse(password.changedAt) > claims.iat) return undefined;
    const user = await this.activeUser(claims.org, claims.acc);
    return user && { ...user, sessionId: claims.sid };
  }

  /**
   * The portal user behind an access, decided from the facts as they are now: the access is
   * Active (its own stream), and its contact belongs to at least one company that is not
   * archived (the contact's and companies' streams). Otherwise: none, and no session works.
   */
  async activeUser(organizationId: string, accessId: string): Promise<Omit<PortalPrincipal, 'sessionId'> | undefined> {
    const { state } = await this.executor.load(portalAccessStream(accessId), portalAccess, organizationId);
    if (state.status !== 'Active' || !state.contactId) return undefined;
    const { clientIds } = await currentCompanies(this.executor, organizationId, state.contactId);
    if (clientIds.length === 0) return undefined;
    return {
      kind: 'portal-user',
      organizationId,
      accessId,
      contactId: state.contactId,
      clientIds,
      clientId: clientIds[0],
      portalId: state.portalId!,
      userTypeId: state.userTypeId,
    };
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
