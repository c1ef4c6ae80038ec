export * from './key-value-store';
export * from './secrets';
export * from './credential-store';

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { KeyValueStore, MongoKeyValueStore, SqliteKeyValueStore } from './key-value-store';

/** MongoDB when a URL is given, else `<dataDir>/service-state.sqlite`. */
export async function createKeyValueStore(config: { mongoUrl?: string; dataDir: string }): Promise<KeyValueStore> {
  if (config.mongoUrl) {
    const client = await new MongoClient(config.mongoUrl).connect();
    return new MongoKeyValueStore(client, client.db().databaseName === 'test' ? 'client_portal' : client.db().databaseName, true);
  }
  mkdirSync(config.dataDir, { recursive: true });
  return new SqliteKeyValueStore(join(config.dataDir, 'service-state.sqlite'));
}
export * from './password-policy';
export * from './token-signer';
