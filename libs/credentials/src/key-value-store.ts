import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Collection, MongoClient } from 'mongodb';

/**
 * Small durable state that must not live in the event log: hashed credentials (secrets never
 * go into events) and idempotency records. SQLite on the embedded default, MongoDB in
 * production.
 */
export interface KeyValueStore {
  get<T>(namespace: string, key: string): Promise<T | null>;
  set<T>(namespace: string, key: string, value: T): Promise<void>;
  delete(namespace: string, key: string): Promise<void>;
  close(): Promise<void>;
}

export class SqliteKeyValueStore implements KeyValueStore {
  private readonly db: Database.Database;
  private readonly selectStmt: Database.Statement;
  private readonly upsertStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Credentials are written before the command that needs them is acknowledged.
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS kv (
      namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (namespace, key)
    ) WITHOUT ROWID`);
    this.selectStmt = this.db.prepare('SELECT value FROM kv WHERE namespace = ? AND key = ?');
    this.upsertStmt = this.db.prepare(
      'INSERT INTO kv (namespace, key, value) VALUES (?, ?, ?) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value',
    );
    this.deleteStmt = this.db.prepare('DELETE FROM kv WHERE namespace = ? AND key = ?');
  }

  async get<T>(namespace: string, key: string): Promise<T | null> {
    const row = this.selectStmt.get(namespace, key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : null;
  }

  async set<T>(namespace: string, key: string, value: T): Promise<void> {
    this.upsertStmt.run(namespace, key, JSON.stringify(value));
  }

  async delete(namespace: string, key: string): Promise<void> {
    this.deleteStmt.run(namespace, key);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

interface KvDocument {
  _id: string;
  value: unknown;
}

export class MongoKeyValueStore implements KeyValueStore {
  private readonly collection: Collection<KvDocument>;

  constructor(
    private readonly client: MongoClient,
    databaseName: string,
    private readonly ownsClient = false,
  ) {
    this.collection = client.db(databaseName).collection<KvDocument>('service_state');
  }

  async get<T>(namespace: string, key: string): Promise<T | null> {
    const doc = await this.collection.findOne({ _id: `${namespace}:${key}` });
    return doc ? (doc.value as T) : null;
  }

  async set<T>(namespace: string, key: string, value: T): Promise<void> {
    // Majority write concern: the value survives a primary failover once acknowledged.
    await this.collection.replaceOne({ _id: `${namespace}:${key}` }, { value }, { upsert: true, writeConcern: { w: 'majority', j: true } });
  }

  async delete(namespace: string, key: string): Promise<void> {
    await this.collection.deleteOne({ _id: `${namespace}:${key}` }, { writeConcern: { w: 'majority', j: true } });
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }
}
