import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Collection, MongoClient, MongoServerError } from 'mongodb';

/**
 * Small durable state that must not live in the event log: hashed credentials (secrets never
 * go into events), idempotency records, the email outbox. SQLite on the embedded default,
 * MongoDB in production. Several processes may share one store (API instances on one MongoDB,
 * or on one SQLite file): setIfAbsent is atomic across them.
 */
export interface KeyValueStore {
  /** The value, or null when there is none or it expired. */
  get<T>(namespace: string, key: string): Promise<T | null>;
  /** Stores (or replaces) the value; with a TTL it expires that many seconds from now. */
  set<T>(namespace: string, key: string, value: T, options?: WriteOptions): Promise<void>;
  /**
   * Stores the value only if the key holds none (an expired one counts as none): true when
   * it stored it. Of callers racing for one key, in any process, exactly one gets true.
   */
  setIfAbsent<T>(namespace: string, key: string, value: T, options?: WriteOptions): Promise<boolean>;
  delete(namespace: string, key: string, options?: Durability): Promise<void>;
  /** A namespace's unexpired entries in key order (code point order), after `afterKey`, at most `limit`. */
  list<T>(namespace: string, options: { limit: number; afterKey?: string }): Promise<{ key: string; value: T }[]>;
  close(): Promise<void>;
}

export interface Durability {
  /**
   * false: for bookkeeping that is safe to do again (a delivery claim, a delivered email's
   * marker): the embedded store then does not wait for the disk, so the write survives the
   * process dying but may be lost if the machine goes down before the store's next durable
   * write. MongoDB writes every value with the majority's acknowledgement whatever this says.
   * Default: durable.
   */
  durable?: boolean;
}

export interface WriteOptions extends Durability {
  /** Seconds until the entry expires (fractions allowed); without it, it never does. */
  ttlSeconds?: number;
}

/** Expired rows are deleted at open and after this many writes with a TTL. */
const PURGE_EVERY_WRITES = 500;

export class SqliteKeyValueStore implements KeyValueStore {
  private readonly db: Database.Database;
  private readonly selectStmt: Database.Statement;
  private readonly upsertStmt: Database.Statement;
  private readonly insertIfAbsentStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;
  private readonly listStmt: Database.Statement;
  private readonly purgeStmt: Database.Statement;
  private writesWithTtl = 0;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Credentials are written before the command that needs them is acknowledged.
    this.db.pragma('synchronous = FULL');
    // Another process may hold the write lock for a moment (several instances on one file).
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS kv (
      namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (namespace, key)
    ) WITHOUT ROWID`);
    // Expiry (ms since the epoch; NULL: never), added to stores created before it existed.
    const columns = this.db.prepare('PRAGMA table_info(kv)').all() as { name: string }[];
    if (!columns.some((column) => column.name === 'expires_at')) this.db.exec('ALTER TABLE kv ADD COLUMN expires_at INTEGER');
    this.db.exec('CREATE INDEX IF NOT EXISTS kv_expires_at ON kv (expires_at) WHERE expires_at IS NOT NULL');
    const live = '(expires_at IS NULL OR expires_at > ?)';
    this.selectStmt = this.db.prepare(`SELECT value FROM kv WHERE namespace = ? AND key = ? AND ${live}`);
    this.upsertStmt = this.db.prepare(
      'INSERT INTO kv (namespace, key, value, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
    );
    // One statement: atomic against every other connection to the file.
    this.insertIfAbsentStmt = this.db.prepare(
      `INSERT INTO kv (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
       WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= ?`,
    );
    this.deleteStmt = this.db.prepare('DELETE FROM kv WHERE namespace = ? AND key = ?');
    this.listStmt = this.db.prepare(`SELECT key, value FROM kv WHERE namespace = ? AND key > ? AND ${live} ORDER BY key LIMIT ?`);
    this.purgeStmt = this.db.prepare('DELETE FROM kv WHERE expires_at <= ?');
    this.purgeStmt.run(Date.now());
  }

  async get<T>(namespace: string, key: string): Promise<T | null> {
    const row = this.selectStmt.get(namespace, key, Date.now()) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : null;
  }

  async set<T>(namespace: string, key: string, value: T, options: WriteOptions = {}): Promise<void> {
    this.write(options, () => this.upsertStmt.run(namespace, key, JSON.stringify(value), this.expiresAt(options)));
  }

  async setIfAbsent<T>(namespace: string, key: string, value: T, options: WriteOptions = {}): Promise<boolean> {
    return this.write(options, () => this.insertIfAbsentStmt.run(namespace, key, JSON.stringify(value), this.expiresAt(options), Date.now()).changes === 1);
  }

  async delete(namespace: string, key: string, options: Durability = {}): Promise<void> {
    this.write(options, () => this.deleteStmt.run(namespace, key));
  }

  async list<T>(namespace: string, options: { limit: number; afterKey?: string }): Promise<{ key: string; value: T }[]> {
    // '' sorts before every key: "after ''" is every key (keys are never empty).
    const rows = this.listStmt.all(namespace, options.afterKey ?? '', Date.now(), options.limit) as { key: string; value: string }[];
    return rows.map((row) => ({ key: row.key, value: JSON.parse(row.value) as T }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /**
   * A write committed with an fsync (synchronous = FULL), or, when it need not be durable,
   * without one (NORMAL: in the WAL, synced by the next durable commit or checkpoint).
   */
  private write<R>({ durable = true }: Durability, run: () => R): R {
    if (durable) return run();
    // Set when run, not prepared: SQLite applies this pragma as it compiles it.
    this.db.pragma('synchronous = NORMAL');
    try {
      return run();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  private expiresAt(options: WriteOptions): number | null {
    if (options.ttlSeconds === undefined) return null;
    if ((this.writesWithTtl = (this.writesWithTtl + 1) % PURGE_EVERY_WRITES) === 0) this.purgeStmt.run(Date.now());
    return Date.now() + Math.round(options.ttlSeconds * 1000);
  }
}

interface KvDocument {
  _id: string;
  value: unknown;
  /** Absent: never expires. A TTL index deletes expired documents (within a minute or so); reads ignore them at once. */
  expiresAt?: Date;
}

const DUPLICATE_KEY = 11000;

export class MongoKeyValueStore implements KeyValueStore {
  private readonly collection: Collection<KvDocument>;
  private ttlIndex: Promise<unknown> | undefined;

  constructor(
    private readonly client: MongoClient,
    databaseName: string,
    private readonly ownsClient = false,
  ) {
    this.collection = client.db(databaseName).collection<KvDocument>('service_state');
  }

  async get<T>(namespace: string, key: string): Promise<T | null> {
    const doc = await this.collection.findOne({ _id: `${namespace}:${key}` });
    return doc && !isExpired(doc) ? (doc.value as T) : null;
  }

  async set<T>(namespace: string, key: string, value: T, options: WriteOptions = {}): Promise<void> {
    const expiresAt = await this.expiresAt(options);
    // Majority write concern: the value survives a primary failover once acknowledged.
    await this.collection.replaceOne(
      { _id: `${namespace}:${key}` },
      expiresAt ? { value, expiresAt } : { value },
      { upsert: true, writeConcern: { w: 'majority', j: true } },
    );
  }

  async setIfAbsent<T>(namespace: string, key: string, value: T, options: WriteOptions = {}): Promise<boolean> {
    const expiresAt = await this.expiresAt(options);
    try {
      // Matches only an expired entry (replaced); none at all is inserted; a live one makes
      // the insert collide with its _id.
      await this.collection.updateOne(
        { _id: `${namespace}:${key}`, expiresAt: { $lte: new Date() } },
        expiresAt ? { $set: { value, expiresAt } } : { $set: { value }, $unset: { expiresAt: '' } },
        { upsert: true, writeConcern: { w: 'majority', j: true } },
      );
      return true;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return false;
      throw error;
    }
  }

  async delete(namespace: string, key: string, _options?: Durability): Promise<void> {
    await this.collection.deleteOne({ _id: `${namespace}:${key}` }, { writeConcern: { w: 'majority', j: true } });
  }

  async list<T>(namespace: string, options: { limit: number; afterKey?: string }): Promise<{ key: string; value: T }[]> {
    if (options.limit <= 0) return [];
    const prefix = `${namespace}:`;
    // A range on _id (the index), from after the cursor to the end of the namespace (';' follows ':').
    const from = options.afterKey === undefined ? { $gte: prefix } : { $gt: `${prefix}${options.afterKey}` };
    const docs = await this.collection
      .find({ _id: { ...from, $lt: `${namespace};` }, $or: [{ expiresAt: { $exists: false } }, { expiresAt: { $gt: new Date() } }] })
      .sort({ _id: 1 })
      .limit(options.limit)
      .toArray();
    return docs.map((doc) => ({ key: doc._id.slice(prefix.length), value: doc.value as T }));
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  /** The expiry of a write; the TTL index is made on the first write that has one. */
  private async expiresAt(options: WriteOptions): Promise<Date | undefined> {
    if (options.ttlSeconds === undefined) return undefined;
    this.ttlIndex ??= this.collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }).catch((error: unknown) => {
      this.ttlIndex = undefined; // tried again on the next write
      throw error;
    });
    await this.ttlIndex;
    return new Date(Date.now() + Math.round(options.ttlSeconds * 1000));
  }
}

function isExpired(doc: KvDocument): boolean {
  return doc.expiresAt instanceof Date && doc.expiresAt.getTime() <= Date.now();
}
