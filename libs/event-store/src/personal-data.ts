import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  AppendResult,
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

export class PersonalDataVault {
  private readonly cache = new Map<string, { key: Buffer | null; until: number }>();

  constructor(
    private readonly keys: KeyStore,
    private readonly personal: Record<string, PersonalFields>,
  ) {}

  /** The data with its personal fields encrypted under its person's key (created on first use). */
  async seal(type: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    const declared = this.personal[type];
    const subject = declared && data[declared.subject];
    if (!declared || typeof subject !== 'string' || !subject) return data;
    const copy = structuredClone(data);
    let key: Buffer | null | undefined;
    for (const path of declared.fields) {
      const parts = path.split('.');
      const parent = parts.slice(0, -1).reduce<unknown>((node, part) => (isRecord(node) ? node[part] : undefined), copy);
      const leaf = parts[parts.length - 1];
      if (!isRecord(parent) || !(leaf in parent) || parent[leaf] === null || parent[leaf] === undefined) continue;
      key ??= await this.keyFor(subject, true);
      if (!key) throw new Error(`The personal data of ${subject} was erased: nothing more may be recorded about this person`);
      parent[leaf] = encrypt(key, subject, parent[leaf]);
    }
    return copy;
  }

  /** The data with every encrypted value decrypted, or `[erased]` where its key is gone. */
  async open(data: Record<string, unknown>): Promise<{ data: Record<string, unknown>; sealed: boolean }> {
    if (!JSON.stringify(data).includes(PREFIX)) return { data, sealed: false };
    const walk = async (node: unknown): Promise<unknown> => {
      if (typeof node === 'string' && node.startsWith(PREFIX)) return this.decrypt(node);
      if (Array.isArray(node)) return Promise.all(node.map(walk));
      if (isRecord(node)) {
        const out: Record<string, unknown> = {};
        for (const [field, value] of Object.entries(node)) out[field] = await walk(value);
        return out;
      }
      return node;
    };
    return { data: (await walk(data)) as Record<string, unknown>, sealed: true };
  }

  /** Destroys the person's key: what was written under it can never be read again. */
  async erase(subject: string): Promise<void> {
    await this.keys.delete(KEY_NAMESPACE, subject);
    await this.keys.setIfAbsent(KEY_NAMESPACE, subject, { erased: true });
    this.cache.set(subject, { key: null, until: Number.POSITIVE_INFINITY });
  }

  private async decrypt(value: string): Promise<unknown> {
    const [, subject, payload] = value.split(':');
    if (!subject || !payload) return value;
    const key = await this.keyFor(subject, false);
    if (!key) return ERASED;
    try {
      const bytes = Buffer.from(payload, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(subject));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      const plain = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
      return JSON.parse(plain.toString('utf8'));
    } catch {
      return value; // not ours, or altered: shown as stored (verify tells whether it was altered)
    }
  }

  /** The person's key; created when asked to and there is none (and it was never erased). */
  private async keyFor(subject: string, create: boolean): Promise<Buffer | null> {
    const cached = this.cache.get(subject);
    if (cached && cached.until > Date.now() && (cached.key || !create)) return cached.key;
    let stored = await this.keys.get<{ key?: string; erased?: boolean }>(KEY_NAMESPACE, subject);
    if (!stored && create) {
      await this.keys.setIfAbsent(KEY_NAMESPACE, subject, { key: randomBytes(32).toString('base64') });
      stored = await this.keys.get(KEY_NAMESPACE, subject);
    }
    const key = stored?.key ? Buffer.from(stored.key, 'base64') : null;
    this.cache.set(subject, { key, until: Date.now() + KEY_CACHE_MS });
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
    return key;
  }
}

function encrypt(key: Buffer, subject: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(subject));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return `${PREFIX}${subject}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
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

  async appendToStream(streamName: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const sealed = await Promise.all(events.map(async (event) => ({ ...event, data: await this.vault.seal(event.type, event.data) })));
    return this.inner.appendToStream(streamName, sealed, options);
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
