import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from './adapters/in-memory.event-store';
import { SqliteEventStore } from './adapters/sqlite/sqlite.event-store';
import { EventToAppend } from './event-store';
import { ERASED, KeyStore, PersonalDataEventStore, PersonalDataVault } from './personal-data';
import { aMetadata } from './testing/event-store.contract';

const FIELDS = { ContactAdded: { subject: 'contactId', fields: ['name', 'email'] } };
const added = (contactId: string, name = 'Ana Souza'): EventToAppend => ({
  id: randomUUID(),
  type: 'ContactAdded',
  data: { contactId, name, email: 'ana@acme.example', clientId: 'c' },
  metadata: aMetadata(),
});

/** An in-memory key-value store (the MongoDB one's semantics). */
function memoryKeys(): KeyStore & { writes: number } {
  const map = new Map<string, unknown>();
  const store = {
    writes: 0,
    async get<T>(namespace: string, key: string) {
      return (map.get(`${namespace}|${key}`) as T) ?? null;
    },
    async setIfAbsent<T>(namespace: string, key: string, value: T) {
      store.writes += 1;
      if (map.has(`${namespace}|${key}`)) return false;
      map.set(`${namespace}|${key}`, value);
      return true;
    },
    async delete(namespace: string, key: string) {
      map.delete(`${namespace}|${key}`);
    },
  };
  return store;
}

describe('personal data (crypto-shredding)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'personal-data-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('on the embedded store: a new person’s key commits with the events sealed with it (one transaction), the data is stored sealed and read opened', async () => {
    const file = join(dir, `events-${randomUUID()}.sqlite`);
    const raw = new SqliteEventStore(file);
    const store = new PersonalDataEventStore(raw, new PersonalDataVault(raw, FIELDS));
    try {
      const contactId = randomUUID();
      await store.appendToStream(`contact-${contactId}`, [added(contactId)], { expectedRevision: 'no_stream' });
      expect(raw.stats().transactions).toBe(1); // the key did not cost a commit of its own
      expect((await raw.readStream(`contact-${contactId}`)).events[0].data.name).toMatch(/^pd1:/);
      expect((await store.readStream(`contact-${contactId}`)).events[0].data).toMatchObject({ name: 'Ana Souza', email: 'ana@acme.example' });
      const db = new Database(file, { readonly: true });
      expect(db.prepare('SELECT COUNT(*) AS n FROM personal_data_keys WHERE subject = ?').get(contactId)).toEqual({ n: 1 });
      db.close();

      // Erased: the key is gone from the file, the event stays and reads [erased]; nothing more is recorded.
      await store.vault.erase(contactId);
      expect((await new PersonalDataEventStore(raw, new PersonalDataVault(raw, FIELDS)).readStream(`contact-${contactId}`)).events[0].data).toMatchObject({ name: ERASED, email: ERASED });
      await expect(store.appendToStream(`contact-${contactId}`, [added(contactId, 'Again')], { expectedRevision: 0n })).rejects.toThrow(/erased/);
    } finally {
      await store.close();
    }
  });

  it('on the embedded store: two writers that each make a key for the same new person end with one key, every event readable', async () => {
    const file = join(dir, `events-${randomUUID()}.sqlite`);
    const rawA = new SqliteEventStore(file);
    const rawB = new SqliteEventStore(file);
    const a = new PersonalDataEventStore(rawA, new PersonalDataVault(rawA, FIELDS));
    const b = new PersonalDataEventStore(rawB, new PersonalDataVault(rawB, FIELDS));
    try {
      const contactId = randomUUID();
      await Promise.all([
        a.appendToStream(`contact-${contactId}`, [added(contactId, 'From A')], { expectedRevision: 'no_stream' }),
        b.appendToStream(`other-${contactId}`, [added(contactId, 'From B')], { expectedRevision: 'no_stream' }),
      ]);
      const reader = new PersonalDataEventStore(rawA, new PersonalDataVault(rawA, FIELDS));
      expect((await reader.readStream(`contact-${contactId}`)).events[0].data.name).toBe('From A');
      expect((await reader.readStream(`other-${contactId}`)).events[0].data.name).toBe('From B');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('with a key-value store (beside EventStoreDB): the key is stored before the append, once per person', async () => {
    const keys = memoryKeys();
    const store = new PersonalDataEventStore(new InMemoryEventStore(), new PersonalDataVault(keys, FIELDS));
    const contactId = randomUUID();
    await store.appendToStream(`contact-${contactId}`, [added(contactId)], { expectedRevision: 'no_stream' });
    await store.appendToStream(`contact-${contactId}`, [added(contactId, 'Renamed')], { expectedRevision: 0n });
    expect(keys.writes).toBe(1);
    expect((await store.readStream(`contact-${contactId}`)).events.map((e) => e.data.name)).toEqual(['Ana Souza', 'Renamed']);
    await store.vault.erase(contactId);
    expect((await store.readStream(`contact-${contactId}`)).events.map((e) => e.data.name)).toEqual([ERASED, ERASED]);
  });
});
