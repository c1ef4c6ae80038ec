import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnreadableEventError } from '../../event-store';
import { ANCHOR_EVENT_TYPE, eventHash, GENESIS_HASH } from '../../integrity';
import { anEvent } from '../../testing/event-store.contract';
import { anchorStreamName, LogAnchorer, verifyStoredLog } from '../../verify-log';
import { SqliteEventStore } from './sqlite.event-store';

/**
 * Tamper evidence on the SQLite file itself: each test writes a small history with an anchor,
 * closes the store, alters the file directly (as someone with access to the disk would), opens
 * it again and verifies.
 */
const dir = mkdtempSync(join(tmpdir(), 'sqlite-tamper-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const A = 'contact-0b9a3b1e-9a4e-4d0e-8a55-0c2f3c1c0a01';
const B = 'contact-0b9a3b1e-9a4e-4d0e-8a55-0c2f3c1c0a02';
const ANCHORS = anchorStreamName('00000000-0000-4000-8000-000000000000');

/** A: revisions 0..3 at positions 1,3,5,6; B: 0..1 at 2,4; an anchor at 7 over 1..6; A: 4 at 8. */
async function history(): Promise<string> {
  const file = join(dir, `events-${++files}.sqlite`);
  const store = new SqliteEventStore(file);
  await store.appendToStream(A, [anEvent('ContactAdded', { name: 'Ana Souza', n: 0 })], { expectedRevision: 'no_stream' });
  await store.appendToStream(B, [anEvent('ContactAdded', { name: 'Bea', n: 0 })], { expectedRevision: 'no_stream' });
  await store.appendToStream(A, [anEvent('ContactUpdated', { n: 1 })], { expectedRevision: 0n });
  await store.appendToStream(B, [anEvent('ContactUpdated', { n: 1 })], { expectedRevision: 0n });
  await store.appendToStream(A, [anEvent('ContactUpdated', { n: 2 }), anEvent('ContactUpdated', { n: 3 })], { expectedRevision: 1n });
  const anchor = await new LogAnchorer(store, ANCHORS).next();
  await store.appendToStream(ANCHORS, [anEvent(ANCHOR_EVENT_TYPE, anchor!.data as unknown as Record<string, unknown>)], { expectedRevision: 'no_stream' });
  await store.appendToStream(A, [anEvent('ContactUpdated', { n: 4 })], { expectedRevision: 3n });
  await store.close();
  return file;
}

function tamper(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

async function verify(file: string) {
  const store = new SqliteEventStore(file);
  try {
    return await verifyStoredLog(store, { pageSize: 3 });
  } finally {
    await store.close();
  }
}

describe('tamper evidence of the SQLite event store', () => {
  it('verifies an untouched log, anchor included', async () => {
    const result = await verify(await history());
    expect(result).toEqual({ ok: true, events: 8, anchors: 1, lastAnchor: expect.objectContaining({ upTo: '6', events: 6 }) });
  });

  it('finds one altered byte of an event’s data', async () => {
    const file = await history();
    tamper(file, "UPDATE events SET data = replace(data, 'Ana', 'Ama') WHERE position = 1");
    const result = await verify(file);
    expect(result).toMatchObject({ ok: false, firstBroken: { position: '1', streamName: A, reason: 'the stored event does not match its hash' } });
    if (!result.ok) expect(result.firstBroken.expected).not.toBe(result.firstBroken.found);
  });

  it('finds one altered byte of an event’s metadata', async () => {
    const file = await history();
    tamper(file, "UPDATE events SET metadata = replace(metadata, '\"channel\":\"api\"', '\"channel\":\"apo\"') WHERE position = 4");
    expect(await verify(file)).toMatchObject({ ok: false, firstBroken: { position: '4', streamName: B } });
  });

  it('finds a deleted event in the middle of a stream (its successor links to nothing)', async () => {
    const file = await history();
    tamper(file, 'DELETE FROM events WHERE position = 3');
    expect(await verify(file)).toMatchObject({ ok: false, firstBroken: { position: '5', streamName: A, found: null } });
  });

  it('finds a deleted last event of a stream through the anchor', async () => {
    const file = await history();
    tamper(file, 'DELETE FROM events WHERE position = 4');
    expect(await verify(file)).toMatchObject({ ok: false, firstBroken: { position: '7', streamName: ANCHORS } });
  });

  it('finds two swapped events of a stream', async () => {
    const file = await history();
    const db = new Database(file);
    db.defaultSafeIntegers(true);
    const rows = db.prepare('SELECT position, id, type, data, metadata, hash FROM events WHERE position IN (3, 5) ORDER BY position').all() as Record<string, unknown>[];
    const swap = db.prepare('UPDATE events SET id = ?, type = ?, data = ?, metadata = ?, hash = ? WHERE position = ?');
    db.transaction(() => {
      swap.run(`${rows[1].id as string}-x`, rows[1].type, rows[1].data, rows[1].metadata, rows[1].hash, 3);
      swap.run(rows[0].id, rows[0].type, rows[0].data, rows[0].metadata, rows[0].hash, 5);
      db.prepare('UPDATE events SET id = ? WHERE position = 3').run(rows[1].id);
    })();
    db.close();
    expect(await verify(file)).toMatchObject({ ok: false, firstBroken: { position: '3', streamName: A } });
  });

  it('finds an inserted event, even one whose hash was computed by the forger', async () => {
    const file = await history();
    const db = new Database(file);
    db.defaultSafeIntegers(true);
    const last = db.prepare('SELECT hash FROM events WHERE position = 2').get() as { hash: string };
    const forged = { streamName: B, streamRevision: 2n, id: '7d1f0a4e-1111-4a4a-8a8a-000000000001', type: 'ContactUpdated', data: '{"n":99}', metadata: '{}' };
    // Inserted as B's revision 2, chained to B's revision 0: B's revision 1 is skipped.
    db.prepare('INSERT INTO events (id, stream_name, stream_revision, type, data, metadata, recorded_at, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      forged.id, forged.streamName, forged.streamRevision, forged.type, forged.data, forged.metadata, new Date().toISOString(), eventHash(last.hash, forged),
    );
    db.close();
    expect(await verify(file)).toMatchObject({ ok: false, firstBroken: { position: '9', streamName: B } });
  });

  it('finds an inserted event without a hash', async () => {
    const file = await history();
    tamper(
      file,
      "INSERT INTO events (id, stream_name, stream_revision, type, data, metadata, recorded_at, hash) VALUES ('7d1f0a4e-1111-4a4a-8a8a-000000000002', ?, 0, 'ContactAdded', '{}', '{}', '2020-01-01T00:00:00Z', 'f00')",
      'contact-inserted',
    );
    expect(await verify(file)).toMatchObject({ ok: false, firstBroken: { position: '9', streamName: 'contact-inserted' } });
  });

  it('starts on an event that no longer parses: its stream refuses to load, verify names the event, the rest reads on', async () => {
    const file = await history();
    tamper(file, "UPDATE events SET data = substr(data, 2) WHERE position = 1");
    const store = new SqliteEventStore(file);
    try {
      await expect(store.readStream(A)).rejects.toBeInstanceOf(UnreadableEventError);
      expect((await store.readStream(B)).events).toHaveLength(2);
      expect((await store.readAll({ maxCount: 100 })).map((e) => e.position)).toEqual([2n, 3n, 4n, 5n, 6n, 7n, 8n]);
      expect(await verifyStoredLog(store)).toMatchObject({ ok: false, firstBroken: { position: '1', streamName: A } });
    } finally {
      await store.close();
    }
  });

  it('chains the events of a file written before the chain existed, once, at open', async () => {
    const file = await history();
    tamper(file, 'UPDATE events SET hash = NULL');
    const result = await verify(file);
    // The anchor committed to the old hashes, which are recomputed identically.
    expect(result).toMatchObject({ ok: true, events: 8 });
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT events FROM chain_migrations').pluck().all()).toEqual([8]);
    expect(db.prepare('SELECT COUNT(*) FROM events WHERE hash IS NULL').pluck().get()).toBe(0);
    db.close();
    expect(GENESIS_HASH).toHaveLength(64);
  });
});
