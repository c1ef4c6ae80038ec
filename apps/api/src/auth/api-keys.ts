import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '@app/event-store';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { apiKey, ApiKeyRole, apiKeyStream, DomainError, nameBasedUuid } from '@app/domain';
import { hashToken, KeyValueStore, newToken, sameHash } from '@app/credentials';
import { AppConfig } from '../config';
import { CommandExecutor } from '../commands/command-executor';
import { CommandContext } from '../http/request-context';
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
 * events use to name a key. Issuing and revoking are events; the secret never is.
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
    private readonly executor: CommandExecutor,
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

  async issue(context: CommandContext, name: string, role: ApiKeyRole): Promise<IssuedKey> {
    const key = `cpk_${newToken()}`;
    return this.register(context, randomUUID(), name, role, key);
  }

  async revoke(context: CommandContext, keyId: string): Promise<void> {
    if (keyId === (await this.bootstrapKeyId())) {
      throw new DomainError('conflict', 'bootstrap-key', 'The bootstrap key is managed by the API_KEY setting: rotate it there.');
    }
    const current = await this.executor.load(apiKeyStream(keyId), apiKey, context.organizationId);
    apiKey.decide({ type: 'RevokeApiKey' }, current.state);
    // The key stops working first (here at once, elsewhere with the event); the event then records that it did.
    const byId = await this.kv.get<{ hash: string }>(BY_ID, keyId);
    this.forget(keyId, byId?.hash);
    if (byId) await this.kv.delete(BY_HASH, byId.hash);
    await this.executor.execute({ streamName: apiKeyStream(keyId), decider: apiKey, command: { type: 'RevokeApiKey' }, context });
    await this.kv.delete(BY_ID, keyId);
  }

  /**
   * At start: the bootstrap admin key (API_KEY, or one generated into DATA_DIR/admin-api-key)
   * is registered as the operator organization's admin key. A changed API_KEY replaces the
   * previous one, which stops working.
   */
  async registerBootstrapKey(): Promise<void> {
    const key = this.config.apiKey ?? (await this.generatedKey());
    const hash = hashToken(key);
    const keyId = nameBasedUuid(`bootstrap-key:${hash}`);
    const previous = await this.kv.get<{ keyId: string; hash: string }>('bootstrap', 'admin-key');
    if (previous?.keyId === keyId && (await this.kv.get<StoredKey>(BY_HASH, hash))) return;
    const system: CommandContext = {
      organizationId: OPERATOR_ORGANIZATION_ID,
      actor: { kind: 'system', id: 'bootstrap' },
      channel: 'system',
      correlationId: randomUUID(),
    };
    if (previous && previous.keyId !== keyId) {
      this.forget(previous.keyId, previous.hash);
      await this.kv.delete(BY_HASH, previous.hash);
      const old = await this.executor.load(apiKeyStream(previous.keyId), apiKey, OPERATOR_ORGANIZATION_ID);
      if (old.state.status === 'Active') {
        await this.executor.execute({ streamName: apiKeyStream(previous.keyId), decider: apiKey, command: { type: 'RevokeApiKey' }, context: system });
      }
    }
    const existing = await this.executor.load(apiKeyStream(keyId), apiKey, OPERATOR_ORGANIZATION_ID);
    if (existing.state.status === 'Active') await this.store(keyId, OPERATOR_ORGANIZATION_ID, 'admin', prefixOf(key), hash);
    else await this.register(system, keyId, 'Bootstrap admin key (API_KEY)', 'admin', key);
    await this.kv.set('bootstrap', 'admin-key', { keyId, hash });
  }

  private async bootstrapKeyId(): Promise<string | undefined> {
    return (await this.kv.get<{ keyId: string }>('bootstrap', 'admin-key'))?.keyId;
  }

  private async register(context: CommandContext, keyId: string, name: string, role: ApiKeyRole, key: string): Promise<IssuedKey> {
    const prefix = prefixOf(key);
    const { position } = await this.executor.execute({
      streamName: apiKeyStream(keyId),
      decider: apiKey,
      command: { type: 'IssueApiKey', keyId, name, role, prefix },
      context,
    });
    await this.store(keyId, context.organizationId, role, prefix, hashToken(key));
    return { id: keyId, key, role, prefix, position: Number(position) };
  }

  private async store(keyId: string, organizationId: string, role: ApiKeyRole, prefix: string, hash: string): Promise<void> {
    const stored: StoredKey = { keyId, organizationId, role, prefix, hash };
    await this.kv.set<StoredKey>(BY_HASH, hash, stored);
    await this.kv.set(BY_ID, keyId, { hash });
    this.revokedIds.delete(keyId);
    this.byHash.set(hash, stored);
  }

  /** The key stops working in this process. */
  private forget(keyId: string, hash: string | undefined): void {
    this.revokedIds.add(keyId);
    if (hash) this.byHash.delete(hash);
    for (const [knownHash, stored] of this.byHash) if (stored.keyId === keyId) this.byHash.delete(knownHash);
  }

  /** Revocations by other instances: their ApiKeyRevoked events, from the head at start on. */
  private async followRevocations(after: bigint, signal: AbortSignal): Promise<void> {
    let cursor = after;
    while (!signal.aborted) {
      try {
        for await (const page of this.events.subscribeToAllPages({ after: cursor, maxCount: 100, eventTypes: ['ApiKeyRevoked'], signal })) {
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
function prefixOf(key: string): string {
  return key.startsWith('cpk_') ? key.slice(0, 12) : `key_${hashToken(key).slice(0, 8)}`;
}
