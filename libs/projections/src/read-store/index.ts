import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ReadStore } from '../read-store';
import { MongoReadStore } from './mongo.read-store';
import { SqliteReadStore } from './sqlite.read-store';

export { MongoReadStore } from './mongo.read-store';
export { SqliteReadStore } from './sqlite.read-store';
export type { ReadModelFileOptions } from './read-model-file';

export const DEFAULT_MONGO_DATABASE = 'client_portal';

export interface ReadStoreConfig {
  /** MongoDB in production; the database is the URL's path (`mongodb://host/db`). */
  mongoUrl?: string;
  /** Where the embedded SQLite file goes when no mongoUrl is set. */
  dataDir: string;
  /** Told when the embedded file was set aside, to be rebuilt (it was open when the machine went down). */
  warn?: (message: string) => void;
}

/** MongoDB when a URL is configured, otherwise SQLite at `<dataDir>/read-models.sqlite`. */
export async function createReadStore(config: ReadStoreConfig): Promise<ReadStore> {
  if (config.mongoUrl) {
    const store = new MongoReadStore(config.mongoUrl, mongoDatabaseName(config.mongoUrl));
    try {
      await store.connect();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
    return store;
  }
  mkdirSync(config.dataDir, { recursive: true });
  return new SqliteReadStore(join(config.dataDir, 'read-models.sqlite'), { warn: config.warn });
}

/**
 * The database named in a MongoDB connection string, or the default. Parsed by hand: the
 * WHATWG URL parser rejects the multi-host form (`mongodb://a:27017,b:27017/db`).
 */
export function mongoDatabaseName(url: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(url);
  const name = match ? decodeURIComponent(match[1]) : '';
  return name || DEFAULT_MONGO_DATABASE;
}
