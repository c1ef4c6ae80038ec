export * from './key-value-store';
export * from './secrets';
export * from './credential-store';
export * from './rate-limit-store';

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { KeyValueStore, MongoKeyValueStore, SqliteKeyValueStore } from './key-value-store';
import { MemoryRateLimitStore, MongoRateLimitStore, RateLimitStore } from './rate-limit-store';

/** MongoDB when a URL is given, else `<dataDir>/service-state.sqlite`. */
export async function createKeyValueStore(config: { mongoUrl?: string; dataDir: string }): Promise<KeyValueStore> {
  if (config.mongoUrl) {
    const client = await new MongoClient(config.mongoUrl).connect();
    return new MongoKeyValueStore(client, databaseOf(client), true);
  }
  mkdirSync(config.dataDir, { recursive: true });
  return new SqliteKeyValueStore(join(config.dataDir, 'service-state.sqlite'));
}
export * from './password-policy';
export * from './token-signer';

/** MongoDB when a URL is given (shared by every API instance), else this process's memory. */
export async function createRateLimitStore(config: { mongoUrl?: string }): Promise<RateLimitStore> {
  if (!config.mongoUrl) return new MemoryRateLimitStore();
  const client = await new MongoClient(config.mongoUrl).connect();
  return new MongoRateLimitStore(client, databaseOf(client), true);
}

/** The database the URL names, `client_portal` when it names none. */
function databaseOf(client: MongoClient): string {
  return client.db().databaseName === 'test' ? 'client_portal' : client.db().databaseName;
}
