import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeWithContainers, mongoForSuite } from '../../../test/support/containers';
import { CredentialStore } from './credential-store';
import { KeyValueStore, MongoKeyValueStore, SqliteKeyValueStore } from './key-value-store';
import { hashPassword, hashToken, newToken, sameHash, verifyPassword } from './secrets';

function keyValueContract(name: string, open: () => Promise<{ store: KeyValueStore; reopen?: () => Promise<KeyValueStore> }>) {
  describe(`${name} key-value store`, () => {
    it('sets, gets, overwrites and deletes by namespace and key', async () => {
      const { store } = await open();
      expect(await store.get('a', 'k')).toBeNull();
      await store.set('a', 'k', { n: 1, s: 'São Paulo 東京' });
      await store.set('b', 'k', { n: 2 });
      expect(await store.get('a', 'k')).toEqual({ n: 1, s: 'São Paulo 東京' });
      await store.set('a', 'k', { n: 3 });
      expect(await store.get('a', 'k')).toEqual({ n: 3 });
      expect(await store.get('b', 'k')).toEqual({ n: 2 });
      await store.delete('a', 'k');
      expect(await store.get('a', 'k')).toBeNull();
      await store.close();
    });

    it('stores a value only if the key holds none: one winner among racing callers', async () => {
      const { store } = await open();
      expect(await store.setIfAbsent('claims', 'k1', { by: 'first' })).toBe(true);
      expect(await store.setIfAbsent('claims', 'k1', { by: 'second' })).toBe(false);
      expect(await store.get('claims', 'k1')).toEqual({ by: 'first' });

      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.setIfAbsent('claims', 'k2', { by: i })));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.get('claims', 'k2')).toEqual({ by: results.indexOf(true) });

      await store.delete('claims', 'k1');
      expect(await store.setIfAbsent('claims', 'k1', { by: 'third' })).toBe(true);
      await store.close();
    });

    it('expires values written with a TTL, and a claim can be taken over once expired', async () => {
      const { store } = await open();
      await store.set('ttl', 'a', { n: 1 }, { ttlSeconds: 0.15 });
      await store.set('ttl', 'forever', { n: 2 });
      expect(await store.setIfAbsent('ttl', 'claim', { by: 'A' }, { ttlSeconds: 0.15 })).toBe(true);
      expect(await store.get('ttl', 'a')).toEqual({ n: 1 });
      expect(await store.setIfAbsent('ttl', 'claim', { by: 'B' }, { ttlSeconds: 0.15 })).toBe(false);
      expect((await store.list('ttl', { limit: 10 })).map((e) => e.key)).toEqual(['a', 'claim', 'forever']);

      await new Promise((resolve) => setTimeout(resolve, 250));

      expect(await store.get('ttl', 'a')).toBeNull();
      expect(await store.get('ttl', 'forever')).toEqual({ n: 2 });
      expect((await store.list('ttl', { limit: 10 })).map((e) => e.key)).toEqual(['forever']);
      expect(await store.setIfAbsent('ttl', 'claim', { by: 'B' })).toBe(true);
      expect(await store.get('ttl', 'claim')).toEqual({ by: 'B' });
      // Taken over without a TTL: it no longer expires.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await store.get('ttl', 'claim')).toEqual({ by: 'B' });
      await store.close();
    });

    it('lists a namespace in key order, in pages', async () => {
      const { store } = await open();
      for (const key of ['b', 'a', 'c:1', 'c', 'd']) await store.set('list', key, { key });
      await store.set('lists', 'x', {}); // a namespace that starts like it
      await store.set('lis', 'y', {});

      expect(await store.list('list', { limit: 10 })).toEqual(['a', 'b', 'c', 'c:1', 'd'].map((key) => ({ key, value: { key } })));
      expect((await store.list('list', { limit: 2 })).map((e) => e.key)).toEqual(['a', 'b']);
      expect((await store.list('list', { limit: 2, afterKey: 'b' })).map((e) => e.key)).toEqual(['c', 'c:1']);
      expect((await store.list('list', { limit: 2, afterKey: 'd' })).map((e) => e.key)).toEqual([]);
      expect(await store.list('list', { limit: 0 })).toEqual([]);
      expect(await store.list('none', { limit: 5 })).toEqual([]);
      await store.close();
    });

    it('stores, replaces and deletes bookkeeping that need not be durable (durable: false) like any other value', async () => {
      const { store, reopen } = await open();
      expect(await store.setIfAbsent('claims', 'e1', { at: 1 }, { ttlSeconds: 60, durable: false })).toBe(true);
      expect(await store.setIfAbsent('claims', 'e1', { at: 2 }, { durable: false })).toBe(false);
      await store.set('sent', 'e1', { ok: true }, { durable: false });
      await store.delete('claims', 'e1', { durable: false });
      expect([await store.get('claims', 'e1'), await store.get('sent', 'e1')]).toEqual([null, { ok: true }]);
      await store.close();
      if (!reopen) return;
      // A closed store (or a process that dies) keeps it: only the machine going down may not.
      const again = await reopen();
      expect(await again.get('sent', 'e1')).toEqual({ ok: true });
      await again.close();
    });

    it('keeps what it acknowledged across a reopen', async () => {
      const { store, reopen } = await open();
      if (!reopen) return;
      const credentials = new CredentialStore(store);
      await credentials.setPassword({ organizationId: 'o', accessId: 'a', passwordHash: 'scrypt$h', changedAt: '2030-01-01T00:00:00Z' });
      await store.close();
      const again = await reopen();
      expect(await new CredentialStore(again).getPassword('a')).toMatchObject({ accessId: 'a', passwordHash: 'scrypt$h' });
      await again.close();
    });
  });
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

keyValueContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-'));
  dirs.push(dir);
  const file = join(dir, 'service-state.sqlite');
  return { store: new SqliteKeyValueStore(file), reopen: async () => new SqliteKeyValueStore(file) };
});

describe('SQLite key-value store shared by two processes (two connections to one file)', () => {
  it('gives a key to exactly one of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kv-'));
    dirs.push(dir);
    const file = join(dir, 'service-state.sqlite');
    const [a, b] = [new SqliteKeyValueStore(file), new SqliteKeyValueStore(file)];
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).setIfAbsent('claims', 'k', { i })));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await a.get('claims', 'k')).toEqual(await b.get('claims', 'k'));
    await a.close();
    await b.close();
  });

  it('waits for the disk again after a write that need not (synchronous back to FULL)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kv-'));
    dirs.push(dir);
    const store = new SqliteKeyValueStore(join(dir, 'service-state.sqlite'));
    const synchronous = () => (store as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true });
    expect(synchronous()).toBe(2);
    await store.set('sent', 'e1', { ok: true }, { durable: false });
    await store.delete('claims', 'e1', { durable: false });
    expect(synchronous()).toBe(2);
    await store.close();
  });

  it('opens a store written before values could expire, keeping its values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kv-'));
    dirs.push(dir);
    const file = join(dir, 'service-state.sqlite');
    const old = new Database(file);
    old.exec('CREATE TABLE kv (namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (namespace, key)) WITHOUT ROWID');
    old.prepare('INSERT INTO kv VALUES (?, ?, ?)').run('portal-password', 'a1', JSON.stringify({ hash: 'h' }));
    old.close();

    const store = new SqliteKeyValueStore(file);
    expect(await store.get('portal-password', 'a1')).toEqual({ hash: 'h' });
    await store.set('idempotency', 'k', { n: 1 }, { ttlSeconds: 60 });
    expect(await store.get('idempotency', 'k')).toEqual({ n: 1 });
    await store.close();
  });
});

describeWithContainers('MongoDB key-value store (testcontainers)', () => {
  const mongo = mongoForSuite();
  let database = 0;
  keyValueContract('MongoDB', async () => {
    const name = `kv_${++database}`;
    return { store: new MongoKeyValueStore(mongo.client(), name), reopen: async () => new MongoKeyValueStore(mongo.client(), name) };
  });
});

describe('secrets', () => {
  it('makes 256-bit url-safe tokens and compares their hashes in constant time', () => {
    const token = newToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(newToken()).not.toBe(token);
    expect(sameHash(hashToken(token), hashToken(token))).toBe(true);
    expect(sameHash(hashToken(token), hashToken(`${token}x`))).toBe(false);
    expect(hashToken(token)).not.toContain(token);
  });

  it('hashes passwords with scrypt and a salt, and verifies them', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain('correct horse');
    expect(await hashPassword('correct horse battery staple')).not.toBe(hash);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
  });
});
