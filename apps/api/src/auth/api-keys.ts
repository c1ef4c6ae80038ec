import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '@app/event-store';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiKeyRole } from '@app/domain';
import { hashToken, KeyValueStore, newToken, sameHash } from '@app/credentials';
import { AppConfig } from '../config';
import { APP_CONFIG, EVENT_STORE, KEY_VALUE_STORE } from '../infrastructure/tokens';
import { StaffPrincipal } from './principal';

/** The organization that runs the service; the bootstrap key (API_KEY) is its admin key. */
export const OPERATOR_ORGANIZATION_ID = '00000000-0000-4000-8000-000000000001';

interface StoredKey {
  keyId: string;
  organizationId: string;
  role: ApiKeyRole;
  prefix: string;
  /** The SHA-256 of the key, compared again in constant time after the lookup. */
  hash: string;
}

export interface IssuedKey {
  id: string;
  key: string;
  role: ApiKeyRole;
  prefix: string;
  position: number;
}

const BY_HASH = 'api-key';
const BY_ID = 'api-key-id';

/**
 * Staff API keys: `cpk_` + 256 random bits. Only the SHA-256 is kept (looked up by it, then
 * compared in constant time); the first 12 characters are the public prefix that logs and
 * events use to name a key. Issuing and revoking are events (api-keys.commands.ts); the secret never is.
 *
 * Keys are checked from memory: every active key's hash is loaded at start, a key issued or
 * revoked here changes the memory at once, and the revocations of other instances arrive with
 * their ApiKeyRevoked events (followed from the log, those two types only). A key issued
 * elsewhere is found in the key-value store at its first use, then kept.
 */
@Injectable()
export class ApiKeys implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeys');
  private readonly byHash = new Map<string, StoredKey>();
  private readonly revokedIds = new Set<string>();
  private follower: { abort: AbortController; done: Promise<void> } | undefined;

  constructor(
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const from = await this.events.headPosition();
    for (let afterKey: string | undefined; ; ) {
      const page = await this.kv.list<StoredKey>(BY_HASH, { afterKey, limit: 1000 });
      for (const { value } of page) this.byHash.set(value.hash, value);
      if (page.length < 1000) break;
      afterKey = page[page.length - 1].key;
    }
    const abort = new AbortController();
    this.follower = { abort, done: this.followRevocations(from, abort.signal) };
  }

  async onApplicationShutdown(): Promise<void> {
    this.follower?.abort.abort();
    await this.follower?.done;
  }

  async authenticate(authorization: string | undefined): Promise<StaffPrincipal | undefined> {
    const match = /^Bearer\s+(\S{16,512})\s*$/.exec(authorization ?? '');
    if (!match) return undefined;
    const hash = hashToken(match[1]);
    let stored = this.byHash.get(hash);
    if (!stored) {
      // Issued by another instance since this one started: found once, then kept.
      const found = await this.kv.get<StoredKey>(BY_HASH, hash);
      if (!found || this.revokedIds.has(found.keyId)) return undefined;
      this.byHash.set(hash, (stored = found));
    }
    if (!sameHash(stored.hash, hash)) return undefined;
    return { kind: 'staff', organizationId: stored.organizationId, keyId: stored.keyId, keyPrefix: stored.prefix, role: stored.role };
  }

  /** Where a key's secret is looked up: its hash, and its id (so that revoking finds the hash). */
  async keep(keyId: string, organizationId: string, role: ApiKeyRole, prefix: string, hash: string): Promise<void> {
    const stored: StoredKey = { keyId, organizationId, role, prefix, hash };
    await this.kv.set<StoredKey>(BY_HASH, hash, stored);
    await this.kv.set(BY_ID, keyId, { hash });
    this.revokedIds.delete(keyId);
    this.byHash.set(hash, stored);
  }

  /** The key stops working, here at once (elsewhere with its ApiKeyRevoked event); its id stays known until `drop`. */
  async disable(keyId: string, hash?: string): Promise<void> {
    const byId = hash ? { hash } : await this.kv.get<{ hash: string }>(BY_ID, keyId);
    this.forget(keyId, byId?.hash);
    if (byId) await this.kv.delete(BY_HASH, byId.hash);
  }

  /** The last trace of a revoked key: its id's entry. */
  async drop(keyId: string): Promise<void> {
    await this.kv.delete(BY_ID, keyId);
  }

  /** Whether a key with this hash is kept. */
  async isKept(hash: string): Promise<boolean> {
    return (await this.kv.get<StoredKey>(BY_HASH, hash)) !== null;
  }

  /** The bootstrap admin key as registered last (API_KEY, or the generated one). */
  bootstrapKey(): Promise<{ keyId: string; hash: string } | null> {
    return this.kv.get<{ keyId: string; hash: string }>('bootstrap', 'admin-key');
  }

  async rememberBootstrapKey(key: { keyId: string; hash: string }): Promise<void> {
    await this.kv.set('bootstrap', 'admin-key', key);
  }

  /** The bootstrap admin key: API_KEY, else the one generated into DATA_DIR/admin-api-key (once). */
  bootstrapSecret(): Promise<string> {
    return this.config.apiKey ? Promise.resolve(this.config.apiKey) : this.generatedKey();
  }

  /** The key stops working in this process. */
  private forget(keyId: string, hash: string | undefined): void {
    this.revokedIds.add(keyId);
    if (hash) this.byHash.delete(hash);
    for (const [knownHash, stored] of this.byHash) if (stored.keyId === keyId) this.byHash.delete(knownHash);
  }

  /**
   * Revocations by other instances: their ApiKeyRevoked events, from the head at start on
   * (looked for at most every 100 ms, not after every commit: this process's own revocations
   * take effect at once without it).
   */
  private async followRevocations(after: bigint, signal: AbortSignal): Promise<void> {
    let cursor = after;
    while (!signal.aborted) {
      try {
        for await (const page of this.events.subscribeToAllPages({ after: cursor, maxCount: 100, eventTypes: ['ApiKeyRevoked'], signal, minIntervalMs: 100 })) {
          for (const event of page) this.forget(String(event.data.keyId), undefined);
          cursor = page[page.length - 1].position;
        }
      } catch (error) {
        if (signal.aborted) return;
        this.logger.error(`Following key revocations failed; retrying: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private async generatedKey(): Promise<string> {
    const file = join(this.config.dataDir, 'admin-api-key');
    try {
      const existing = (await readFile(file, 'utf8')).trim();
      if (existing) return existing;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(this.config.dataDir, { recursive: true });
    const key = `cpk_${newToken()}`;
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    this.logger.log(`Generated the bootstrap admin API key into ${file} (readable by this user only)`);
    return key;
  }
}

/** The public part of a key: enough to tell keys apart in logs, far too little to guess it. */
export function prefixOf(key: string): string {
  return key.startsWith('cpk_') ? key.slice(0, 12) : `key_${hashToken(key).slice(0, 8)}`;
}
