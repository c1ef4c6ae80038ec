import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ProjectionWrite } from '../read-store';
import { readStoreContract } from '../testing/read-store.contract';
import { createReadStore, SqliteReadStore } from './index';

describe('SqliteReadStore', () => {
  const dirs: string[] = [];
  let lastPath = '';

  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'read-store-'));
    dirs.push(dir);
    return dir;
  }

  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  readStoreContract(
    'SqliteReadStore',
    async () => {
      lastPath = join(tempDir(), 'read-models.sqlite');
      return new SqliteReadStore(lastPath);
    },
    { reopen: async () => new SqliteReadStore(lastPath) },
  );

  describe('specific to SQLite', () => {
    let path: string;
    let store: SqliteReadStore;

    beforeEach(async () => {
      path = join(tempDir(), 'read-models.sqlite');
      store = new SqliteReadStore(path);
      await store.ensureCollections([{ name: 'items', indexes: [['org'], ['org', 'status']] }]);
    });

    afterEach(async () => {
      await store.close();
    });

    it('uses WAL and one table per collection, each indexed field a column of its own, indexed with the id', async () => {
      await store.applyBatch('p', [{ op: 'upsert', collection: 'items', id: 'i1', position: 1n, set: { org: 'o1', status: true, note: 'n' } }], 1n);
      const db = new Database(path, { readonly: true });
      try {
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
        const columns = db.prepare('PRAGMA table_info(rm_items)').all() as Array<{ name: string; pk: number }>;
        expect(columns.map((column) => column.name)).toEqual(['id', 'pos', 'body', 'f_org', 'f_status']);
        // The value as JSON text: types stay apart.
        expect(db.prepare('SELECT f_org, f_status FROM rm_items').get()).toEqual({ f_org: '"o1"', f_status: 'true' });
        const plan = db.prepare('EXPLAIN QUERY PLAN SELECT id, body FROM rm_items WHERE f_org = ? AND id > ? ORDER BY id LIMIT ?').all('"o1"', 'a', 10) as Array<{
          detail: string;
        }>;
        const details = plan.map((row) => row.detail).join('\n');
        expect(details).toMatch(/USING INDEX rm_items__org__/);
        expect(details).not.toMatch(/TEMP B-TREE/);
        expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE sql LIKE '%json_extract(%'").pluck().get()).toBe(0);
      } finally {
        db.close();
      }
    });

    it('moves a table of the earlier layout (indexes on json_extract) to columns at start, keeping every row findable', async () => {
      await store.close();
      const old = new Database(path);
      old.exec(`
        CREATE TABLE rm_legacy (id TEXT PRIMARY KEY, pos INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE INDEX rm_legacy__org__abc ON rm_legacy (json_extract(body, '$.org'), id);
      `);
      const insert = old.prepare('INSERT INTO rm_legacy (id, pos, body) VALUES (?, ?, ?)');
      for (let i = 0; i < 2_500; i++) insert.run(`d${String(i).padStart(5, '0')}`, i, JSON.stringify({ org: i % 2 ? 'o1' : 'o2', n: i, flag: i % 3 === 0 }));
      old.close();

      store = new SqliteReadStore(path);
      await store.ensureCollections([{ name: 'legacy', indexes: [['org'], ['flag', 'org']] }]);
      const o1 = await store.find('legacy', { where: { org: 'o1' }, limit: 5_000 });
      expect(o1).toHaveLength(1_250);
      expect(await store.find('legacy', { where: { flag: true, org: 'o2' }, limit: 5_000 })).toHaveLength(417);
      expect(await store.find('legacy', { where: { flag: 1 }, limit: 10 })).toEqual([]);
      const db = new Database(path, { readonly: true });
      try {
        expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'rm_legacy' AND sql LIKE '%json_extract(%'").all()).toEqual([]);
        expect(db.prepare('SELECT count(*) FROM rm_legacy WHERE f_org IS NULL').pluck().get()).toBe(0);
      } finally {
        db.close();
      }
    });

    it('serves a prefix search from the [...where, prefix field] index, as a range', async () => {
      await store.ensureCollections([{ name: 'terms', indexes: [['org', 'kind', 'term']] }]);
      await store.applyBatch('p', [{ op: 'upsert', collection: 'terms', id: 't1', position: 1n, set: { org: 'o1', kind: 'client', term: 'sao paulo' } }], 1n);
      const found = await store.find('terms', { where: { org: 'o1', kind: 'client' }, prefix: { field: 'term', value: 'sao' }, limit: 10 });
      expect(found.map((doc) => doc.id)).toEqual(['t1']);
      // The statement the adapter prepared for that query, explained.
      const statements = (store as unknown as { finds: Map<string, { source: string }> }).finds;
      const source = [...statements.values()].map((statement) => statement.source).find((sql) => sql.includes('rm_terms'));
      expect(source).toContain('COLLATE BINARY');
      const db = new Database(path, { readonly: true });
      try {
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${source}`).all('"o1"', '"client"', '"sao', '"sap', 10) as Array<{ detail: string }>;
        const details = plan.map((row) => row.detail).join('\n');
        expect(details).toMatch(/USING INDEX rm_terms__org_kind_term__\w+ \(f_org=\? AND f_kind=\? AND f_term>\? AND f_term<\?\)/);
      } finally {
        db.close();
      }
    });

    it('finds by prefix whatever characters the JSON text escapes (quote, backslash, control characters) and beyond the BMP', async () => {
      await store.ensureCollections([{ name: 'odd', indexes: [['term']] }]);
      const terms = ['a"b', 'a\\b', 'a\nb', 'a\u0001b', 'ab', 'a😀b', 'a😀', 'b'];
      await store.applyBatch('p', terms.map((term, i) => ({ op: 'upsert' as const, collection: 'odd', id: `t${i}`, position: 1n, set: { term } })), 1n);
      const byPrefix = async (value: string) => (await store.find('odd', { where: {}, prefix: { field: 'term', value }, limit: 100 })).map((doc) => doc.term).sort();
      expect(await byPrefix('a')).toEqual(terms.filter((t) => t.startsWith('a')).sort());
      for (const term of terms) {
        for (let length = 1; length <= term.length; length++) {
          const prefix = term.slice(0, length);
          if (/[\ud800-\udbff]$/.test(prefix)) continue; // half a surrogate pair
          expect(await byPrefix(prefix)).toEqual(terms.filter((t) => t.startsWith(prefix)).sort());
        }
      }
    });

    it('answers a prefix search over 100,000 terms from the index (timed)', async () => {
      await store.ensureCollections([{ name: 'terms', indexes: [['org', 'kind', 'term']] }]);
      const syllables = ['ka', 'sa', 'ta', 'na', 'ha', 'ma', 'ya', 'ra', 'wa', 'lo', 'pe', 'ri', 'su', 'to', 'mi', 'ne'];
      // 100,000 terms: 16^4 = 65,536 distinct four-syllable words, 2 orgs, clients and contacts.
      const term = (i: number) => [0, 1, 2, 3].map((k) => syllables[(i >> (4 * k)) & 15]).join('') + (i >= 65_536 ? ' são' : '');
      for (let from = 0; from < 100_000; from += 10_000) {
        const writes: ProjectionWrite[] = Array.from({ length: 10_000 }, (_, k) => {
          const i = from + k;
          return {
            op: 'upsert',
            collection: 'terms',
            id: `${String((i * 7919) % 100_000).padStart(6, '0')}:${i % 3}`,
            position: BigInt(i + 1),
            set: { org: `org-${i % 2}`, kind: i % 5 === 0 ? 'client' : 'contact', entityId: String(i), term: term(i) },
          };
        });
        await store.applyBatch('p', writes, BigInt(from + 10_000));
      }
      const time = async (value: string, limit: number, runs = 200) => {
        let found = 0;
        const find = () => store.find('terms', { where: { org: 'org-0', kind: 'contact' }, prefix: { field: 'term', value }, limit });
        await find();
        const started = process.hrtime.bigint();
        for (let run = 0; run < runs; run += 1) found = (await find()).length;
        return { ms: Number(process.hrtime.bigint() - started) / 1e6 / runs, found };
      };
      const narrow = await time('kasatana', 51); // one word's terms (~2 of 100,000)
      const middle = await time('kasa', 51); // 1/256 of the terms match (~150 in the org and kind)
      const broad = await time('ka', 51); // 1/16 match (~2,500): sorted by id after the range
      // eslint-disable-next-line no-console
      console.log(
        `SqliteReadStore prefix search over 100,000 terms (limit 51): narrow ${narrow.ms.toFixed(3)} ms (${narrow.found} found), ` +
          `1/256 ${middle.ms.toFixed(3)} ms (${middle.found}), 1/16 ${broad.ms.toFixed(3)} ms (${broad.found})`,
      );
      expect(narrow.found).toBeGreaterThan(0);
      expect(broad.found).toBe(51);
      expect(narrow.ms).toBeLessThan(20); // generous for a loaded CI machine
      expect(broad.ms).toBeLessThan(200);
    }, 60_000);

    it('rolls back a failed batch as a whole, checkpoint included', async () => {
      await store.applyBatch('p', [{ op: 'upsert', collection: 'items', id: 'x', position: 1n, set: { status: 'text' } }], 1n);
      const failing: ProjectionWrite[] = [
        { op: 'insert', collection: 'items', id: 'new', doc: { a: 1 } },
        { op: 'upsert', collection: 'items', id: 'y', position: 2n, set: { a: 1 } },
        { op: 'upsert', collection: 'items', id: 'x', position: 3n, inc: { status: 1 } },
      ];
      await expect(store.applyBatch('p', failing, 3n)).rejects.toThrow(/non-numeric/);
      expect(await store.get('items', 'new')).toBeNull();
      expect(await store.get('items', 'y')).toBeNull();
      expect(await store.getCheckpoint('p')).toBe(1n);
    });

    it('keeps the checkpoint across a reopen of the file', async () => {
      await store.applyBatch('p', [], 2n ** 62n);
      await store.close();
      store = new SqliteReadStore(path);
      expect(await store.getCheckpoint('p')).toBe(2n ** 62n);
    });

    it('is what createReadStore makes without a Mongo URL, creating the data directory', async () => {
      const dataDir = join(tempDir(), 'nested', 'data');
      const created = await createReadStore({ dataDir });
      try {
        expect(created).toBeInstanceOf(SqliteReadStore);
        await created.applyBatch('p', [], 1n);
      } finally {
        await created.close();
      }
      const reopened = new SqliteReadStore(join(dataDir, 'read-models.sqlite'));
      expect(await reopened.getCheckpoint('p')).toBe(1n);
      await reopened.close();
    });

    it('applies a batch of 1,000 upserts in a few milliseconds', async () => {
      const batches = 20;
      let position = 0n;
      const batch = (): ProjectionWrite[] =>
        Array.from({ length: 1_000 }, (_, i) => {
          position += 1n;
          return {
            op: 'upsert',
            collection: 'items',
            id: `item-${i % 5_000}-${position % 3n}`,
            position,
            setOnInsert: { createdAt: '2025-01-01T00:00:00.000Z' },
            set: { org: `org-${i % 10}`, status: i % 2 ? 'Active' : 'Invited', updatedAt: '2025-01-02T00:00:00.000Z' },
            inc: { count: 1 },
          };
        });
      const prepared = Array.from({ length: batches }, batch);
      await store.applyBatch('p', prepared[0], 1_000n); // warm up the statement cache
      const started = process.hrtime.bigint();
      for (let b = 1; b < batches; b += 1) await store.applyBatch('p', prepared[b], BigInt((b + 1) * 1_000));
      const ms = Number(process.hrtime.bigint() - started) / 1e6 / (batches - 1);
      // eslint-disable-next-line no-console
      console.log(`SqliteReadStore: ${ms.toFixed(2)} ms per 1,000-upsert batch, ${Math.round(1_000_000 / ms).toLocaleString('en')} upserts/s`);
      expect(ms).toBeLessThan(100); // generous for a loaded CI machine; a few ms is typical
    });
  });
});
