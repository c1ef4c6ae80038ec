import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { WrongExpectedRevisionError } from '../../event-store';
import { anEvent, collect, eventStoreContract, streamName } from '../../testing/event-store.contract';
import { Worker } from 'node:worker_threads';
import { EventStoreWriterStoppedError, SqliteEventStore } from './sqlite.event-store';
import { SqliteEventWriter } from './sqlite-event-writer';

const dir = mkdtempSync(join(tmpdir(), 'sqlite-event-store-'));
let files = 0;
const newFile = (): string => join(dir, `events-${++files}.sqlite`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

eventStoreContract('SqliteEventStore', async () => new SqliteEventStore(newFile()));

describe('SqliteEventStore', () => {
  let store: SqliteEventStore;

  beforeEach(() => {
    store = new SqliteEventStore(newFile());
  });

  afterEach(async () => {
    await store.close();
  });

  it('lets the event loop run between the pages of a catch-up (a request to stop is heard before the backlog is read)', async () => {
    const paged = new SqliteEventStore(newFile(), { subscriptionPageSize: 5 });
    try {
      await paged.appendToStream(streamName(), Array.from({ length: 50 }, () => anEvent('Backlog')), { expectedRevision: 'no_stream' });
      const subscriptions = {
        pages: (signal: AbortSignal) => paged.subscribeToAllPages({ maxCount: 5, signal }),
        events: (signal: AbortSignal) =>
          (async function* () {
            for await (const event of paged.subscribeToAll({ signal })) yield [event];
          })(),
      };
      for (const [name, subscribe] of Object.entries(subscriptions)) {
        const controller = new AbortController();
        setImmediate(() => controller.abort()); // a macrotask: it runs only when the reader yields to the event loop
        let read = 0;
        for await (const page of subscribe(controller.signal)) {
          read += page.length;
          if (read >= 50) break;
        }
        expect({ name, stoppedEarly: read < 50 }).toEqual({ name, stoppedEarly: true });
      }
    } finally {
      await paged.close();
    }
  });

  it('looks for new events at most every minIntervalMs once caught up (commits in between come in one page), and stops at once when told', async () => {
    // The writer thread started first (its start takes longer than the appends below).
    await store.appendToStream(streamName(), [anEvent('Other')], { expectedRevision: 'no_stream' });
    const controller = new AbortController();
    const subscribed = performance.now();
    const pages: { types: string[]; at: number }[] = [];
    const following = (async () => {
      for await (const page of store.subscribeToAllPages({ maxCount: 100, eventTypes: ['Followed'], signal: controller.signal, minIntervalMs: 500 })) {
        pages.push({ types: page.map((event) => event.type), at: performance.now() - subscribed });
      }
    })();
    // Three commits 30 ms apart, all within the interval of the first (empty) look.
    for (let i = 0; i < 3; i++) {
      await store.appendToStream(streamName(), [anEvent('Followed')], { expectedRevision: 'no_stream' });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    while (pages.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pages).toEqual([{ types: ['Followed', 'Followed', 'Followed'], at: expect.any(Number) }]);
    expect(pages[0].at).toBeGreaterThanOrEqual(490);
    // A stop during the pause ends the subscription at once, not after the interval.
    await store.appendToStream(streamName(), [anEvent('Followed')], { expectedRevision: 'no_stream' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stopping = performance.now();
    controller.abort();
    await following;
    expect(performance.now() - stopping).toBeLessThan(100);
  });

  it('is durable: WAL mode, and the writer commits with synchronous=FULL', () => {
    const db = new Database(store.filePath, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    // synchronous is per connection: ask the writer's own (the one the worker thread opens).
    const writer = new SqliteEventWriter(store.filePath);
    try {
      expect(writer.synchronous()).toBe(2n); // 2 = FULL
    } finally {
      writer.close();
    }
  });

  it('answers an error, never a false success, when its writer dies with the batch in flight; the next append starts a new writer', async () => {
    const stream = streamName();
    // A large batch keeps the writer busy while it is terminated.
    const big = Array.from({ length: 2000 }, () => anEvent('Big', { blob: 'x'.repeat(2000) }));
    const inFlight = store.appendToStream(stream, big, { expectedRevision: 'no_stream' });
    await new Promise((resolve) => setImmediate(resolve)); // handed to the writer
    const writer = (store as unknown as { writer: Worker }).writer;
    await writer.terminate();
    await expect(inFlight).rejects.toThrow(EventStoreWriterStoppedError);

    // Whether or not that batch committed, a retry with the same ids settles it exactly once.
    const retried = await store.appendToStream(stream, big, { expectedRevision: 'no_stream' });
    expect(retried.nextExpectedRevision).toBe(1999n);
    expect((await store.readStream(stream)).events).toHaveLength(2000);
    const next = await store.appendToStream(streamName(), [anEvent()], { expectedRevision: 'no_stream' });
    expect(next.nextExpectedRevision).toBe(0n);
  });

  it('keeps the request thread free: an append does not block the event loop for its commit', async () => {
    // While a large batch commits in the writer thread, timers on this thread keep firing.
    const big = Array.from({ length: 5000 }, () => anEvent('Big', { blob: 'y'.repeat(1000) }));
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 1);
    await store.appendToStream(streamName(), big, { expectedRevision: 'no_stream' });
    clearInterval(ticker);
    expect(ticks).toBeGreaterThan(1);
  });

  it('gathers concurrent appends into fewer transactions than appends (group commit)', async () => {
    const appends = 200;

    const results = await Promise.all(
      Array.from({ length: appends }, () => store.appendToStream(streamName(), [anEvent()], { expectedRevision: 'no_stream' })),
    );

    expect(results).toHaveLength(appends);
    const stats = store.stats();
    expect(stats.appends).toBe(appends);
    expect(stats.transactions).toBeLessThan(appends);
    expect(stats.transactions).toBeLessThanOrEqual(2);
  });

  it('fails a conflicting append alone, committing the rest of its batch', async () => {
    const contested = streamName();
    await store.appendToStream(contested, [anEvent()], { expectedRevision: 'no_stream' });
    const before = store.stats().transactions;

    const attempts = await Promise.allSettled([
      store.appendToStream(streamName(), [anEvent()], { expectedRevision: 'no_stream' }),
      store.appendToStream(contested, [anEvent(), anEvent()], { expectedRevision: 0n }),
      store.appendToStream(contested, [anEvent()], { expectedRevision: 0n }), // loses to the one before
      store.appendToStream(contested, [anEvent()], { expectedRevision: 2n }), // follows it
      store.appendToStream(streamName(), [anEvent()], { expectedRevision: 'no_stream' }),
    ]);

    expect(store.stats().transactions).toBe(before + 1);
    expect(attempts.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const conflict = (attempts[2] as PromiseRejectedResult).reason as WrongExpectedRevisionError;
    expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
    expect(conflict.actual).toBe(2n);
    expect((await store.readStream(contested)).revision).toBe(3n);
  });

  it('rolls back a failing multi-event append completely, keeping the others of the batch', async () => {
    const reused = anEvent();
    await store.appendToStream(streamName(), [reused], { expectedRevision: 'no_stream' });
    const victim = streamName();

    const attempts = await Promise.allSettled([
      store.appendToStream(victim, [anEvent(), reused], { expectedRevision: 'no_stream' }),
      store.appendToStream(streamName(), [anEvent()], { expectedRevision: 'no_stream' }),
    ]);

    expect(attempts.map((a) => a.status)).toEqual(['rejected', 'fulfilled']);
    expect(String((attempts[0] as PromiseRejectedResult).reason)).toMatch(/already stored/);
    expect(await store.readStream(victim)).toEqual({ events: [], revision: -1n });
  });

  it('keeps its events across a reopen', async () => {
    const stream = streamName();
    const result = await store.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: 'no_stream' });
    await store.close();

    store = new SqliteEventStore(store.filePath);

    expect((await store.readStream(stream)).revision).toBe(1n);
    expect(await store.headPosition()).toBe(result.position);
  });

  it('commits the appends it accepted before close', async () => {
    const stream = streamName();
    const pending = store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' });
    await store.close();
    await pending;

    store = new SqliteEventStore(store.filePath);
    expect((await store.readStream(stream)).revision).toBe(0n);
  });

  it('lets a subscription see events written by another process on the same file', async () => {
    const other = new SqliteEventStore(store.filePath);
    try {
      const stream = streamName();
      // Subscribed and caught up (the first, empty page is read synchronously) before the append.
      const receiving = collect(store, { after: await store.headPosition(), streams: [stream], until: (kept) => kept.length === 1 });
      await other.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' });

      // Seen by the slow poll: this store was not notified of that append.
      const received = await receiving;

      expect(received.map((e) => e.streamName)).toEqual([stream]);
    } finally {
      await other.close();
    }
  });

  it('reads a stream through its index', () => {
    const connection = (store as unknown as { db: Database.Database }).db;
    const plan = connection
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM events WHERE stream_name = ? ORDER BY stream_revision')
      .all('x') as { detail: string }[];

    expect(plan.map((row) => row.detail).join(' ')).toMatch(/USING INDEX/);
  });

  it('closes before its process ends: close() holds the process until the writer has finished (nothing else keeps it alive)', async () => {
    const register = resolve(__dirname, '../../testing/register-ts.js');
    const adapter = resolve(__dirname, 'sqlite.event-store.ts');
    const script = `
      const { randomUUID } = require('node:crypto');
      const { SqliteEventStore } = require(${JSON.stringify(adapter)});
      const store = new SqliteEventStore(${JSON.stringify(newFile())});
      const metadata = { organizationId: 'o', actor: { kind: 'system', id: 's' }, channel: 'system', correlationId: 'c', causationId: 'c', occurredAt: new Date().toISOString(), schemaVersion: 1 };
      store.appendToStream('closing-' + randomUUID(), [{ id: randomUUID(), type: 'Written', data: {}, metadata }], { expectedRevision: 'no_stream' })
        .then(() => store.close())
        .then(() => process.stdout.write('closed\\n'));
    `;
    const child = spawn(process.execPath, ['-r', register, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise((resolveExit) => child.on('exit', resolveExit));
    expect(output).toBe('closed\n');
  });

  it('keeps acknowledged appends when its process is killed (kill -9)', async () => {
    const file = newFile();
    const register = resolve(__dirname, '../../testing/register-ts.js');
    const adapter = resolve(__dirname, 'sqlite.event-store.ts');
    // The child appends in waves of 4 concurrent appends and prints each acknowledged stream.
    const script = `
      const { randomUUID } = require('node:crypto');
      const { SqliteEventStore } = require(${JSON.stringify(adapter)});
      const store = new SqliteEventStore(${JSON.stringify(file)});
      const metadata = { organizationId: 'o', actor: { kind: 'system', id: 's' }, channel: 'system',
        correlationId: 'c', causationId: 'c', occurredAt: new Date().toISOString(), schemaVersion: 1 };
      (async () => {
        for (;;) {
          await Promise.all(Array.from({ length: 4 }, async () => {
            const stream = 'durability-' + randomUUID();
            const events = [0, 1].map((n) => ({ id: randomUUID(), type: 'Written', data: { n }, metadata }));
            await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
            process.stdout.write(stream + '\\n');
          }));
        }
      })();
    `;
    const child = spawn(process.execPath, ['-r', register, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolveExit) => child.on('exit', (_code, signal) => resolveExit(signal)));
    const acknowledged: string[] = [];
    for await (const line of createInterface({ input: child.stdout })) {
      acknowledged.push(line);
      if (acknowledged.length === 200) {
        child.kill('SIGKILL'); // while it is still appending
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');

    const reopened = new SqliteEventStore(file);
    try {
      for (const stream of acknowledged) {
        const read = await reopened.readStream(stream);
        expect(read.events.map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }]);
      }
    } finally {
      await reopened.close();
    }
  });
});
