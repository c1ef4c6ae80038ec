import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ALL_PROJECTIONS } from '../../libs/projections/src';
import { removeDataDir, startApp, TestApp } from '../support/app';

/**
 * The projections for operators: where each stands, and a rebuild without downtime under load:
 * a client keeps writing and reading a list while a projection is rebuilt; no read answers an
 * empty or partial list, and the rebuilt rows equal the old ones, document for document.
 */
describe('projections for operators (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    // Small pages: the rebuild takes a few hundred of them, long enough to read and write meanwhile.
    api = await startApp({ PROJECTION_BATCH_SIZE: '20' });
  });
  afterAll(async () => {
    await api?.close();
    removeDataDir(api.dataDir);
  });

  const projections = async () => {
    const listed = await api.request('GET', '/v1/admin/projections');
    expect(listed.status).toBe(200);
    return listed.body.items as any[];
  };
  const projection = async (name: string) => (await projections()).find((p) => p.name === name);

  /** Every row of a read-model table, as stored: id, position guard and body. */
  function rows(table: string): Map<string, { pos: number; body: string }> {
    const db = new Database(join(api.dataDir, 'read-models.sqlite'), { readonly: true });
    try {
      return new Map((db.prepare(`SELECT id, pos, body FROM ${table}`).all() as { id: string; pos: number; body: string }[]).map((row) => [row.id, { pos: row.pos, body: row.body }]));
    } finally {
      db.close();
    }
  }

  it('lists every projection with its position, the head, lag, rate and state', async () => {
    const created = await api.request('POST', '/v1/clients', { name: 'Listed Co' });
    await api.request('GET', `/v1/clients/${created.body.id}?minPosition=${created.body.position}`);
    const items = await projections();
    expect(items.map((p) => p.name).sort()).toEqual(ALL_PROJECTIONS.map((p) => p.name).sort());
    for (const item of items) {
      expect(item).toEqual({
        name: item.name,
        generation: 0,
        position: expect.any(Number),
        head: expect.any(Number),
        lag: { events: expect.any(Number), seconds: expect.any(Number) },
        eventsPerSecond: expect.any(Number),
        state: expect.stringMatching(/^(running|catching-up)$/),
        rebuild: null,
        lastError: null,
        runner: expect.stringMatching(/^.+\/\d+\/.+$/),
      });
      expect(item.position).toBeLessThanOrEqual(item.head);
    }
    expect(items.find((p) => p.name === 'directory_v1')).toMatchObject({ position: created.body.position, lag: { events: 0, seconds: 0 }, state: 'running' });
  });

  it('answers 404 for an unknown projection, and 403 to another organization’s admin', async () => {
    const unknown = await api.request('POST', '/v1/admin/projections/nothing_v9/rebuild');
    expect(unknown.status).toBe(404);
    expect(unknown.body.type).toBe('/problems/projection-not-found');
    const other = await api.request('POST', '/v1/organizations', { name: 'Other Org' });
    expect((await api.request('GET', '/v1/admin/projections', undefined, { authorization: `Bearer ${other.body.adminKey}` })).status).toBe(403);
    expect((await api.request('POST', '/v1/admin/projections/audit_v1/rebuild', undefined, { authorization: `Bearer ${other.body.adminKey}` })).status).toBe(403);
  });

  it('rebuilds a projection beside the live one while a client writes and reads: every read whole, the rows equal after', async () => {
    // A log of some size: an import of 4,000 rows (companies, contacts, associations).
    const header = 'company_name,contact_name,contact_email,associated_companies';
    const lines = Array.from({ length: 4_000 }, (_, i) => `Load Co ${i % 40},Person ${i},person${i}@load.example,Load Co ${(i + 1) % 40}`);
    const imported = await api.request('POST', '/v1/imports/contacts', [header, ...lines].join('\n'), { 'content-type': 'text/csv' });
    expect(imported.status).toBe(202);
    const deadline = Date.now() + 60_000;
    while ((await api.request('GET', `/v1/imports/${imported.body.id}`)).body.status !== 'completed') {
      if (Date.now() > deadline) throw new Error('import not completed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // The list the client keeps reading: its own company's contacts.
    const client = await api.request('POST', '/v1/clients', { name: 'Reader Co' });
    const ids: string[] = [];
    let position = 0;
    for (let i = 0; i < 30; i++) {
      const contact = await api.request('POST', `/v1/clients/${client.body.id}/contacts`, { name: `Reader ${i}`, email: `reader${i}@reader.example` });
      ids.push(contact.body.id);
      position = contact.body.position;
    }
    const list = async (minPosition: number) => {
      const answer = await api.request('GET', `/v1/contacts?clientId=${client.body.id}&limit=200&minPosition=${minPosition}`);
      expect(answer.status).toBe(200);
      return (answer.body.items as { id: string }[]).map((c) => c.id);
    };
    expect((await list(position)).sort()).toEqual([...ids].sort());
    const before = rows('rm_contacts_v1');
    expect(before.size).toBeGreaterThan(4_000);

    const started = await api.request('POST', '/v1/admin/projections/directory_v1/rebuild');
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ name: 'directory_v1', generation: 0, state: 'rebuilding', rebuild: { generation: 1, progress: expect.any(Number) } });

    // The client keeps writing, and keeps reading the list as of its last answered write: whole
    // every time (never empty, never partial), before, during and after the switch.
    let stop = false;
    let acknowledged = ids.length;
    let lastPosition = position;
    let readsWhileRebuilding = 0;
    let reads = 0;
    /** Runs until stopped; a failure stops every loop and fails the test. */
    const loop = (step: () => Promise<void>) =>
      (async () => {
        try {
          while (!stop) await step();
        } catch (error) {
          stop = true;
          throw error;
        }
      })();
    const writer = loop(async () => {
      const contact = await api.request('POST', `/v1/clients/${client.body.id}/contacts`, { name: `Reader ${ids.length}` });
      expect(contact.status).toBe(201);
      ids.push(contact.body.id);
      acknowledged = ids.length;
      lastPosition = Math.max(lastPosition, contact.body.position);
    });
    const reader = loop(async () => {
      const during = (await projection('directory_v1')).state === 'rebuilding';
      const known = ids.slice(0, acknowledged);
      const listed = await list(lastPosition);
      reads += 1;
      if (during) readsWhileRebuilding += 1;
      // Everything acknowledged before the read; nothing but what was written, and at most one write in flight.
      expect(listed).toEqual(expect.arrayContaining(known));
      expect(listed.filter((id) => !ids.includes(id)).length).toBeLessThanOrEqual(1);
    });
    let view = started.body;
    try {
      while (!stop && (view.generation === 0 || view.rebuild !== null)) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        view = await projection('directory_v1');
      }
      // A few more reads and writes on the new generation.
      const readsAtSwitch = reads;
      while (!stop && reads < readsAtSwitch + 5) await new Promise((resolve) => setTimeout(resolve, 5));
    } finally {
      stop = true;
      await Promise.all([writer, reader]);
    }
    // Most of the reads fell during the rebuild (about 75 of 80 here).
    expect(readsWhileRebuilding).toBeGreaterThan(5);
    expect(view).toMatchObject({ generation: 1, state: expect.stringMatching(/^(running|catching-up)$/), rebuild: null });

    // The old generation's table is gone; the new one holds the same documents, and those written meanwhile.
    const db = new Database(join(api.dataDir, 'read-models.sqlite'), { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm_contacts_v1%'").all() as { name: string }[]).map((t) => t.name);
    db.close();
    expect(tables).toEqual(['rm_contacts_v1__g1']);
    const after = rows('rm_contacts_v1__g1');
    expect(after.size).toBe(before.size + ids.length - 30);
    for (const [id, row] of before) expect({ id, ...after.get(id) }).toEqual({ id, ...row });
    expect((await list(Number(view.position))).sort()).toEqual([...ids].sort());
  }, 120_000);
});
