import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { describeWithContainers } from '../../../test/support/containers';
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

    it('keeps what it acknowledged across a reopen', async () => {
      const { store, reopen } = await open();
      if (!reopen) return;
      const credentials = new CredentialStore(store);
      await credentials.saveInvitationToken('h1', { organizationId: 'o', accessId: 'a', invitationId: 'i', expiresAt: '2030-01-01T00:00:00Z' });
      await store.close();
      const again = await reopen();
      expect(await new CredentialStore(again).findInvitationToken('h1')).toMatchObject({ accessId: 'a', invitationId: 'i' });
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

describeWithContainers('MongoDB key-value store (testcontainers)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MongoDBContainer } = require('@testcontainers/mongodb') as typeof import('@testcontainers/mongodb');
  let container: Awaited<ReturnType<InstanceType<typeof MongoDBContainer>['start']>>;
  let client: MongoClient;
  let database = 0;
  beforeAll(async () => {
    container = await new MongoDBContainer('mongo:7').start();
    client = await new MongoClient(container.getConnectionString(), { directConnection: true }).connect();
  }, 180_000);
  afterAll(async () => {
    await client?.close();
    await container?.stop();
  });
  keyValueContract('MongoDB', async () => {
    const name = `kv_${++database}`;
    return { store: new MongoKeyValueStore(client, name), reopen: async () => new MongoKeyValueStore(client, name) };
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
