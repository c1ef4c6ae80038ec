import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EventStoreDbEventStore } from './adapters/eventstoredb.event-store';
import { SqliteEventStore, SqliteEventStoreOptions } from './adapters/sqlite/sqlite.event-store';
import { EventStore } from './event-store';
import { KeyStore, PersonalDataEventStore, PersonalDataVault, PersonalFields } from './personal-data';

export * from './event-store';
export * from './integrity';
export * from './verify-log';
export * from './personal-data';
export * from './audit-export';
export { InMemoryEventStore } from './adapters/in-memory.event-store';
export { SqliteEventStore } from './adapters/sqlite/sqlite.event-store';
export type { SqliteEventStoreOptions, SqliteEventStoreStats } from './adapters/sqlite/sqlite.event-store';
export { EventStoreDbEventStore } from './adapters/eventstoredb.event-store';
export type { EventStoreDbEventStoreOptions } from './adapters/eventstoredb.event-store';

export interface EventStoreConfig {
  /** EventStoreDB connection string (`esdb://...`): production. */
  eventStoreUrl?: string;
  /** Where the embedded SQLite store keeps `events.sqlite` when there is no eventStoreUrl. */
  dataDir: string;
  /**
   * Seals personal data on the way in and opens it on the way out (crypto-shredding): which
   * fields are personal, and the key-value store that keeps the keys where the store does not
   * keep them itself (EventStoreDB; the embedded store keeps them beside its log).
   */
  personalData?: { fields: Record<string, PersonalFields>; keyValueStore: KeyStore };
  /** Options of the embedded store (none apply to EventStoreDB). */
  sqlite?: SqliteEventStoreOptions;
}

/**
 * EventStoreDB when a URL is configured (its server version checked), else the embedded
 * SQLite store under dataDir.
 */
export async function createEventStore(config: EventStoreConfig): Promise<EventStore> {
  const store = await openStore(config);
  if (!config.personalData) return store;
  const keys = store instanceof SqliteEventStore ? store : config.personalData.keyValueStore;
  return new PersonalDataEventStore(store, new PersonalDataVault(keys, config.personalData.fields));
}

async function openStore(config: EventStoreConfig): Promise<EventStore> {
  if (config.eventStoreUrl) return EventStoreDbEventStore.connect(config.eventStoreUrl);
  mkdirSync(config.dataDir, { recursive: true });
  return new SqliteEventStore(join(config.dataDir, 'events.sqlite'), config.sqlite);
}
export { siblingModule, startWorker } from './worker-thread';
export * from './bounded-cache';
