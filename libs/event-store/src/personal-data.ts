import { CipherKey, createCipheriv, createDecipheriv, createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import {
  AppendOptions,
  AppendResult,
  PersonalDataKey,
  PersonalDataKeyConflictError,
  PersonalDataKeyStore,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  ReadStreamResult,
  RecordedEvent,
  SubscribeOptions,
  SubscribePagesOptions,
  SubscriptionFailure,
} from './event-store';
import { StoredEvent } from './integrity';
import { trimOldest } from './bounded-cache';

/**
 * Crypto-shredding. The personal fields of an event's data (declared per event type next to
 * the domain events) are stored encrypted with AES-256-GCM under a key per person; the keys
 * live in the key-value store, never in an event. Erasing a person destroys the key: the
 * events stay (and their hash chain, computed over the stored ciphertext, still verifies),
 * and every reader then sees `[erased]` where the data was.
 */
export const ERASED = '[erased]';
const PREFIX = 'pd1:';
const KEY_NAMESPACE = 'personal-data-keys';
/** How long a key read from the store is trusted (another process may erase it meanwhile). */
const KEY_CACHE_MS = 30_000;
/** How many persons' keys are kept, at most. */
const KEYS_CACHED = 10_000;

/** Which fields of an event type's data are personal, and which data field names their person. */
export interface PersonalFields {
  /** A top-level data field holding the person's id (its key's id). */
  subject: string;
  /** Dotted paths of the personal fields (`name`, `changes.email`). */
  fields: string[];
}

/** The part of the key-value store the vault needs (libs/credentials' KeyValueStore fits). */
export interface KeyStore {
  get<T>(namespace: string, key: string): Promise<T | null>;
  setIfAbsent<T>(namespace: string, key: string, value: T): Promise<boolean>;
  delete(namespace: string, key: string): Promise<void>;
}

/** Where the persons' keys live. */
interface PersonalDataKeys {
  find(subject: string): Promise<Buffer | 'erased' | null>;
  /**
   * Stores a new key before the events sealed with it are appended; false when the person got
   * another key meanwhile (or was erased). Absent where keys are stored with the append.
   */
  create?(subject: string, key: Buffer): Promise<boolean>;
  erase(subject: string): Promise<void>;
}

/** Keys in the key-value store (MongoDB beside EventStoreDB): one durable write per new person. */
function keyValueKeys(keys: KeyStore): PersonalDataKeys {
  return {
    async find(subject) {
      const stored = await keys.get<{ key?: string; erased?: boolean }>(KEY_NAMESPACE, subject);
      if (!stored) return null;
      return stored.key ? Buffer.from(stored.key, 'base64') : 'erased';
    },
    create: (subject, key) => keys.setIfAbsent(KEY_NAMESPACE, subject, { key: key.toString('base64') }),
    async erase(subject) {
      await keys.delete(KEY_NAMESPACE, subject);
      await keys.setIfAbsent(KEY_NAMESPACE, subject, { erased: true });
    },
  };
}

/** Keys beside the log (the embedded store): a new key commits with the events sealed with it. */
function logKeys(store: PersonalDataKeyStore): PersonalDataKeys {
  return {
    async find(subject) {
      const key = await store.personalDataKey(subject);
      return key === null || key === 'erased' ? key : Buffer.from(key);
    },
    erase: (subject) => store.erasePersonalDataKey(subject),
  };
}

/** What sealing an append produced: the data to store, and the keys created for it. */
export interface Sealed {
  events: EventToAppend[];
  created: PersonalDataKey[];
}

export class PersonalDataVault {
  /**
   * Keys read or created lately, as KeyObjects: outside the heap and outside Buffer's shared
   * 8 KiB pools (a 32-byte Buffer slice kept for long holds its whole pool: 10,000 keys held 80 MB).
   */
  private readonly cache = new Map<string, { key: KeyObject | null; until: number }>();
  private readonly keys: PersonalDataKeys;

  /**
   * `keys`: the store that keeps the keys beside its log (the embedded SQLite store), or the
   * key-value store (with EventStoreDB).
   */
  constructor(
    keys: KeyStore | PersonalDataKeyStore,
    private readonly personal: Record<string, PersonalFields>,
  ) {
    this.keys = 'personalDataKey' in keys ? logKeys(keys) : keyValueKeys(keys);
  }

  /** Whether new keys go with the append (the store keeps them) rather than before it. */
  get keysGoWithAppends(): boolean {
    return this.keys.create === undefined;
  }

  /**
   * The events with the personal fields of their data encrypted under their person's key; a
   * person without one gets a new key, returned in `created` (not stored yet: see
   * PersonalDataEventStore.appendToStream).
   */
  async sealAll(events: EventToAppend[]): Promise<Sealed> {
    const created = new Map<string, Buffer>();
    const sealed: EventToAppend[] = [];
    for (const event of events) sealed.push({ ...event, data: await this.seal(event.type, event.data, created) });
    return { events: sealed, created: [...created].map(([subject, key]) => ({ subject, key })) };
  }

  /** The data with its personal fields encrypted under its person's key (created when `created` is given). */
  async seal(type: string, data: Record<string, unknown>, created?: Map<string, Buffer>): Promise<Record<string, unknown>> {
    const declared = this.personal[type];
    const subject = declared && data[declared.subject];
    if (!declared || typeof subject !== 'string' || !subject) return data;
    const copy = structuredClone(data);
    let key: CipherKey | null | undefined;
    for (const path of declared.fields) {
      const parts = path.split('.');
      const parent = parts.slice(0, -1).reduce<unknown>((node, part) => (isRecord(node) ? node[part] : undefined), copy);
      const leaf = parts[parts.length - 1];
      if (!isRecord(parent) || !(leaf in parent) || parent[leaf] === null || parent[leaf] === undefined) continue;
      if (key === undefined) {
        key = created?.get(subject) ?? (await this.keyFor(subject));
        if (key === undefined && created) {
          const fresh = randomBytes(32);
          created.set(subject, fresh);
          key = fresh;
        }
      }
      if (!key) throw new Error(`The personal data of ${subject} was erased: nothing more may be recorded about this person`);
      parent[leaf] = encrypt(key, subject, parent[leaf]);
    }
    return copy;
  }

  /**
   * Stores keys created for an append, where they go before it (the key-value store). False
   * when a person got another key meanwhile: seal again.
   */
  async storeCreated(created: PersonalDataKey[]): Promise<boolean> {
    for (const { subject, key } of created) {
      if (!(await this.keys.create!(subject, Buffer.from(key)))) {
        this.forget(subject);
        return false;
      }
    }
    this.remember(created);
    return true;
  }

  /** Keys now stored (with their append): known from now on without a read. */
  remember(created: PersonalDataKey[]): void {
    for (const { subject, key } of created) this.cache.set(subject, { key: createSecretKey(key), until: Date.now() + KEY_CACHE_MS });
  }

  /** A person's key is not what this process thought (another won, or it was erased): read it again. */
  forget(subject: string): void {
    this.cache.delete(subject);
  }

  /** The data with every encrypted value decrypted, or `[erased]` where its key is gone. */
  async open(data: Record<string, unknown>): Promise<{ data: Record<string, unknown>; sealed: boolean }> {
    const subjects: string[] = [];
    collectSealedSubjects(data, subjects);
    if (subjects.length === 0) return { data, sealed: false };
    // The keys first (one per person, usually cached: no wait), then every value at once.
    const keys = new Map<string, KeyObject | null | undefined>();
    const now = Date.now();
    for (const subject of subjects) {
      const cached = this.cache.get(subject);
      keys.set(subject, cached && cached.until > now ? cached.key : await this.keyFor(subject));
    }
    return { data: openWith(data, keys) as Record<string, unknown>, sealed: true };
  }

  /** Destroys the person's key: what was written under it can never be read again. */
  async erase(subject: string): Promise<void> {
    await this.keys.erase(subject);
    this.cache.set(subject, { key: null, until: Number.POSITIVE_INFINITY });
  }

  /** The person's key: null once erased, undefined when it never had one. */
  private async keyFor(subject: string): Promise<KeyObject | null | undefined> {
    const cached = this.cache.get(subject);
    if (cached && cached.until > Date.now()) return cached.key;
    const found = await this.keys.find(subject);
    if (found === null) return undefined; // not cached: it may get one any moment
    const key = found === 'erased' ? null : createSecretKey(found);
    this.cache.set(subject, { key, until: Date.now() + KEY_CACHE_MS });
    trimOldest(this.cache, KEYS_CACHED);
    return key;
  }
}

function encrypt(key: CipherKey, subject: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(subject));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return `${PREFIX}${subject}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/** An encrypted value's person and payload (`pd1:<subject>:<payload>`); undefined for any other value. */
function sealedParts(value: string): { subject: string; payload: string } | undefined {
  if (!value.startsWith(PREFIX)) return undefined;
  const colon = value.indexOf(':', PREFIX.length);
  const subject = colon < 0 ? '' : value.slice(PREFIX.length, colon);
  const payload = colon < 0 ? '' : value.slice(colon + 1);
  return subject && payload && !payload.includes(':') ? { subject, payload } : undefined;
}

/** Adds the persons whose keys the encrypted values in a value need (found without serializing it again). */
function collectSealedSubjects(node: unknown, subjects: string[]): void {
  if (typeof node === 'string') {
    const sealed = sealedParts(node);
    if (sealed && !subjects.includes(sealed.subject)) subjects.push(sealed.subject);
  } else if (Array.isArray(node)) {
    for (const item of node) collectSealedSubjects(item, subjects);
  } else if (isRecord(node)) {
    for (const value of Object.values(node)) collectSealedSubjects(value, subjects);
  }
}

/** The value with each encrypted string decrypted with its person's key, `[erased]` where there is none. */
function openWith(node: unknown, keys: Map<string, KeyObject | null | undefined>): unknown {
  if (typeof node === 'string') {
    const sealed = sealedParts(node);
    if (!sealed) return node;
    const key = keys.get(sealed.subject);
    return key ? decrypt(key, sealed.subject, sealed.payload) ?? node : ERASED;
  }
  if (Array.isArray(node)) return node.map((item) => openWith(item, keys));
  if (isRecord(node)) {
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(node)) out[field] = openWith(value, keys);
    return out;
  }
  return node;
}

/** The decrypted value; undefined when it does not decrypt (not ours, or altered: shown as stored, verify tells). */
function decrypt(key: KeyObject, subject: string, payload: string): unknown {
  try {
    const bytes = Buffer.from(payload, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(subject));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const plain = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
    return JSON.parse(plain.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The EventStore with personal data sealed on the way in and opened on the way out, so that
 * deciders, projections and queries work on plaintext (or `[erased]`). The stored-log reads
 * (verify, export) pass through untouched: the chain is over what is stored.
 */
export class PersonalDataEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    readonly vault: PersonalDataVault,
  ) {}

  async readStream(streamName: string, options?: ReadStreamOptions): Promise<ReadStreamResult> {
    const result = await this.inner.readStream(streamName, options);
    return { ...result, events: await this.openAll(result.events) };
  }

  /**
   * Seals the events, then appends them with the keys created for them: in the same transaction
   * where the store keeps keys, else stored first. A person whose key was stored elsewhere
   * meanwhile (or who was erased) is sealed again with what is stored, a few times at most.
   */
  async appendToStream(streamName: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const { events: sealed, created } = await this.vault.sealAll(events);
      try {
        if (created.length > 0 && !this.vault.keysGoWithAppends && !(await this.vault.storeCreated(created))) {
          if (attempt >= 3) throw new PersonalDataKeyConflictError(created[0].subject, false);
          continue;
        }
        const withKeys = created.length > 0 && this.vault.keysGoWithAppends ? { ...options, personalDataKeys: created } : options;
        const result = await this.inner.appendToStream(streamName, sealed, withKeys);
        if (this.vault.keysGoWithAppends) this.vault.remember(created);
        return result;
      } catch (error) {
        if (!(error instanceof PersonalDataKeyConflictError) || attempt >= 3) throw error;
        this.vault.forget(error.subject);
      }
    }
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.openAll(await this.inner.readAll(options));
  }

  async *subscribeToAll(options: SubscribeOptions): AsyncIterable<RecordedEvent> {
    for await (const event of this.inner.subscribeToAll(options)) yield await this.openOne(event);
  }

  async *subscribeToAllPages(options: SubscribePagesOptions): AsyncIterable<RecordedEvent[]> {
    for await (const page of this.inner.subscribeToAllPages(options)) yield await this.openAll(page);
  }

  headPosition(): Promise<bigint> {
    return this.inner.headPosition();
  }

  onAppended(listener: (position: bigint) => void): () => void {
    return this.inner.onAppended?.(listener) ?? (() => undefined);
  }

  readStoredAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    return this.inner.readStoredAll(options);
  }

  readStoredStream(streamName: string, options: { fromRevision?: bigint; maxCount: number }): Promise<StoredEvent[]> {
    return this.inner.readStoredStream(streamName, options);
  }

  subscriptionFailure(): SubscriptionFailure | undefined {
    return this.inner.subscriptionFailure?.();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async openAll(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    const opened: RecordedEvent[] = [];
    for (const event of events) opened.push(await this.openOne(event));
    return opened;
  }

  /** The event with its data opened; `storedData` keeps the sealed form for the audit history. */
  private async openOne(event: RecordedEvent): Promise<RecordedEvent> {
    const { data, sealed } = await this.vault.open(event.data);
    return sealed ? { ...event, data, storedData: event.data } : event;
  }
}
