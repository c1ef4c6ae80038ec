/**
 * The contract every EventStore adapter passes. Call it from an adapter's spec:
 *
 *   eventStoreContract('SqliteEventStore', async () => new SqliteEventStore(file()));
 *
 * `create` is called before each test and the store closed after it. The suite does not need
 * an empty store (EventStoreDB runs it on one shared server): every test writes to its own
 * streams and looks at its own events. Tests wait for positions, never for time.
 */
import { randomUUID } from 'node:crypto';
import {
  AppendResult,
  EventMetadata,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  RecordedEvent,
  WrongExpectedRevisionError,
} from '../event-store';
import { eventHash, GENESIS_HASH } from '../integrity';

/** Longest wait for a subscription to deliver what a test expects. */
const DELIVERY_TIMEOUT_MS = 15_000;

export function eventStoreContract(name: string, create: () => Promise<EventStore>): void {
  describe(`${name}: event store contract`, () => {
    let store: EventStore;

    beforeEach(async () => {
      store = await create();
    });

    afterEach(async () => {
      await store.close();
    });

    const append = (streamName: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> =>
      store.appendToStream(streamName, events, { expectedRevision });

    describe('appending and reading a stream', () => {
      it('creates a stream with no_stream and reads it back, revisions from 0', async () => {
        const stream = streamName();
        const events = [anEvent('Created', { n: 1 }), anEvent('Renamed', { n: 2 }), anEvent('Renamed', { n: 3 })];

        const result = await append(stream, events, 'no_stream');
        const read = await store.readStream(stream);

        expect(result.nextExpectedRevision).toBe(2n);
        expect(read.revision).toBe(2n);
        expect(read.events.map((e) => e.streamRevision)).toEqual([0n, 1n, 2n]);
        expect(read.events.map((e) => [e.id, e.type, e.data, e.streamName])).toEqual(
          events.map((e) => [e.id, e.type, e.data, stream]),
        );
        for (const event of read.events) {
          expect(typeof event.position).toBe('bigint');
          expect(Number.isNaN(Date.parse(event.recordedAt))).toBe(false);
        }
      });

      it('reads a missing stream as empty, at revision -1', async () => {
        expect(await store.readStream(streamName())).toEqual({ events: [], revision: -1n });
      });

      it('reads a stream from a revision on, answering the revision of its last event', async () => {
        const stream = streamName();
        const events = [anEvent(), anEvent(), anEvent(), anEvent()];
        await append(stream, events, 'no_stream');

        const tail = await store.readStream(stream, { fromRevision: 2n });
        expect(tail.events.map((e) => [e.id, e.streamRevision])).toEqual([
          [events[2].id, 2n],
          [events[3].id, 3n],
        ]);
        expect(tail.revision).toBe(3n);
        expect(await store.readStream(stream, { fromRevision: 4n })).toEqual({ events: [], revision: 3n });
        expect(await store.readStream(stream, { fromRevision: 9n })).toEqual({ events: [], revision: 3n });
        expect((await store.readStream(stream, { fromRevision: 0n })).events).toHaveLength(4);
        expect(await store.readStream(streamName(), { fromRevision: 3n })).toEqual({ events: [], revision: -1n });
      });

      it('appends at the expected revision and continues the revisions', async () => {
        const stream = streamName();
        await append(stream, [anEvent(), anEvent()], 'no_stream');

        const result = await append(stream, [anEvent(), anEvent()], 1n);

        expect(result.nextExpectedRevision).toBe(3n);
        expect((await store.readStream(stream)).events.map((e) => e.streamRevision)).toEqual([0n, 1n, 2n, 3n]);
      });

      it('refuses no_stream when the stream exists, with its actual revision', async () => {
        const stream = streamName();
        await append(stream, [anEvent(), anEvent()], 'no_stream');

        await expectConflict(append(stream, [anEvent()], 'no_stream'), stream, 'no_stream', 1n);
        expect((await store.readStream(stream)).revision).toBe(1n);
      });

      it('refuses a revision that is not the current one, with the actual revision', async () => {
        const stream = streamName();
        await append(stream, [anEvent(), anEvent(), anEvent()], 'no_stream');

        await expectConflict(append(stream, [anEvent()], 1n), stream, 1n, 2n);
        await expectConflict(append(stream, [anEvent()], 3n), stream, 3n, 2n);
        await expectConflict(append(streamName(), [anEvent()], 0n), undefined, 0n, -1n);
        expect((await store.readStream(stream)).events).toHaveLength(3);
      });

      it('appends with stream_exists only to an existing stream', async () => {
        const stream = streamName();
        await expectConflict(append(stream, [anEvent()], 'stream_exists'), stream, 'stream_exists', -1n);
        expect(await store.readStream(stream)).toEqual({ events: [], revision: -1n });

        await append(stream, [anEvent()], 'no_stream');
        const result = await append(stream, [anEvent()], 'stream_exists');

        expect(result.nextExpectedRevision).toBe(1n);
      });

      it('appends with any whether or not the stream exists', async () => {
        const stream = streamName();
        expect((await append(stream, [anEvent()], 'any')).nextExpectedRevision).toBe(0n);
        expect((await append(stream, [anEvent(), anEvent()], 'any')).nextExpectedRevision).toBe(2n);
      });

      it('keeps data and metadata exactly: nested objects, arrays, unicode, numbers, null', async () => {
        const stream = streamName();
        const data = {
          name: 'Zoë Ångström — 東京 — שלום — 🚀👩‍💻',
          quote: 'She said "hi"\nthen left\t\\ back',
          nested: { deep: { deeper: { list: [1, 'two', { three: 3 }, [4]], empty: {}, none: [] } } },
          numbers: { int: 42, negative: -7, float: 3.25, big: Number.MAX_SAFE_INTEGER, zero: 0 },
          flags: { yes: true, no: false },
          nothing: null,
        };
        const metadata = aMetadata({
          onBehalfOf: { kind: 'contact', id: randomUUID() },
          extra: { reason: 'Größe ändern ✓', tags: ['a', 'b'] },
        });
        const event = { id: randomUUID(), type: 'Detailed', data, metadata };
        const before = await store.headPosition();

        const result = await append(stream, [event], 'no_stream');

        const [fromStream] = (await store.readStream(stream)).events;
        const [fromAll] = (await store.readAll({ after: before, maxCount: 10 })).filter((e) => e.streamName === stream);
        const [fromSubscription] = await collect(store, { after: before, streams: [stream], untilPosition: result.position });
        for (const recorded of [fromStream, fromAll, fromSubscription]) {
          expect(recorded.id).toBe(event.id);
          expect(recorded.type).toBe('Detailed');
          expect(recorded.data).toEqual(data);
          expect(recorded.metadata).toEqual(metadata);
        }
        expect(fromAll).toEqual(fromStream);
        expect(fromSubscription).toEqual(fromStream);
      });
    });

    describe('hash chain (tamper evidence)', () => {
      it('chains every event to the previous one of its stream, over what is stored', async () => {
        const stream = streamName();
        await append(stream, [anEvent('Created', { n: 1 })], 'no_stream');
        await append(stream, [anEvent('Renamed', { name: 'Zoë' }), anEvent('Renamed', { n: 3 })], 0n);

        const stored = await store.readStoredStream(stream, { maxCount: 10 });
        const read = await store.readStream(stream);

        expect(stored.map((e) => e.streamRevision)).toEqual([0n, 1n, 2n]);
        expect(stored[0].previousHash).toBe(GENESIS_HASH);
        stored.forEach((event, i) => {
          expect(event.hash).toBe(eventHash(event.previousHash!, event));
          if (i > 0) expect(event.previousHash).toBe(stored[i - 1].hash);
          expect(read.events[i].hash).toBe(event.hash);
          expect(JSON.parse(event.data)).toEqual(read.events[i].data);
        });
      });

      it('gives the stored log in position order, with the same hashes', async () => {
        const a = streamName();
        const b = streamName();
        const first = await append(a, [anEvent('Created', { n: 1 })], 'no_stream');
        await append(b, [anEvent('Created', { n: 2 })], 'no_stream');
        await append(a, [anEvent('Renamed', { n: 3 })], 0n);

        const page = await store.readStoredAll({ after: first.position, maxCount: 1000 });
        const mine = page.filter((e) => e.streamName === a || e.streamName === b);

        expect(mine.map((e) => [e.streamName, e.streamRevision])).toEqual([
          [b, 0n],
          [a, 1n],
        ]);
        expect(mine[1].previousHash).toBe((await store.readStoredStream(a, { maxCount: 1 }))[0].hash);
      });
    });

    describe('positions', () => {
      it('are unique and strictly increasing across streams, in append order', async () => {
        const a = streamName();
        const b = streamName();
        const r1 = await append(a, [anEvent(), anEvent()], 'no_stream');
        const r2 = await append(b, [anEvent()], 'no_stream');
        const r3 = await append(a, [anEvent(), anEvent(), anEvent()], 1n);

        const streamA = (await store.readStream(a)).events;
        const streamB = (await store.readStream(b)).events;
        const inAppendOrder = [...streamA.slice(0, 2), ...streamB, ...streamA.slice(2)];
        const positions = inAppendOrder.map((e) => e.position);

        expectStrictlyIncreasing(positions);
        expect(positions[0] > 0n).toBe(true);
        // An append's result is the position of its last event.
        expect([r1.position, r2.position, r3.position]).toEqual([positions[1], positions[2], positions[5]]);
      });

      it('headPosition is the position of the newest event', async () => {
        const result = await append(streamName(), [anEvent(), anEvent()], 'no_stream');

        const head = await store.headPosition();

        expect(head).toBe(result.position);
        expect(await store.readAll({ after: head, maxCount: 10 })).toEqual([]);
      });

      it('headPosition is 0 when the log is empty', async () => {
        // Only checkable on an empty store; a shared server (EventStoreDB) is not.
        const first = await store.readAll({ maxCount: 1 });
        if (first.length === 0) expect(await store.headPosition()).toBe(0n);
        else expect(await store.headPosition()).toBeGreaterThanOrEqual(first[0].position);
      });
    });

    describe('readAll', () => {
      it('reads the log after a position, exclusive, at most maxCount at a time', async () => {
        const a = streamName();
        const b = streamName();
        const before = await store.headPosition();
        await append(a, [anEvent(), anEvent()], 'no_stream');
        await append(b, [anEvent()], 'no_stream');
        await append(a, [anEvent(), anEvent()], 1n);
        const expected = [...(await store.readStream(a)).events.slice(0, 2), ...(await store.readStream(b)).events, ...(await store.readStream(a)).events.slice(2)];

        const pages: RecordedEvent[][] = [];
        let after = before;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 2 });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(2);
          pages.push(page);
          after = page[page.length - 1].position;
        }
        const read = pages.flat();

        expectStrictlyIncreasing(read.map((e) => e.position));
        expect(read.filter((e) => e.streamName === a || e.streamName === b)).toEqual(expected);
        expect(read[0].position > before).toBe(true);
        // Exclusive: starting after the second event gives the rest.
        const rest = await store.readAll({ after: expected[1].position, maxCount: 100 });
        expect(rest.filter((e) => e.streamName === a || e.streamName === b)).toEqual(expected.slice(2));
      });

      it('reads from the start of the log when no position is given', async () => {
        await append(streamName(), [anEvent()], 'no_stream');

        const [first] = await store.readAll({ maxCount: 1 });
        const everything = await store.readAll({ after: 0n, maxCount: 1 });

        expect(first).toBeDefined();
        expect(everything).toEqual([first]);
      });

      it('returns nothing for maxCount 0', async () => {
        await append(streamName(), [anEvent()], 'no_stream');
        expect(await store.readAll({ maxCount: 0 })).toEqual([]);
      });
    });

    describe('idempotent retries (same event ids at the same place)', () => {
      it('succeed with the original result and write nothing again', async () => {
        const stream = streamName();
        const first = [anEvent(), anEvent()];
        const second = [anEvent()];
        const r1 = await append(stream, first, 'no_stream');
        const r2 = await append(stream, second, 1n);

        expect(await append(stream, first, 'no_stream')).toEqual(r1);
        expect(await append(stream, second, 1n)).toEqual(r2);
        // Also once the stream has moved on.
        await append(stream, [anEvent()], 2n);
        expect(await append(stream, first, 'no_stream')).toEqual(r1);

        const read = await store.readStream(stream);
        expect(read.events.map((e) => e.id)).toEqual([...first, ...second].map((e) => e.id).concat(read.events[3].id));
        expect(read.revision).toBe(3n);
      });

      it('are conflicts when the ids are not the ones at that place', async () => {
        const stream = streamName();
        const first = [anEvent(), anEvent()];
        await append(stream, first, 'no_stream');

        await expectConflict(append(stream, [first[1]], 'no_stream'), stream, 'no_stream', 1n);
        await expectConflict(append(stream, [anEvent(), anEvent()], 'no_stream'), stream, 'no_stream', 1n);
        expect((await store.readStream(stream)).events).toHaveLength(2);
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of concurrent appends at the same revision win', async () => {
        const stream = streamName();
        await append(stream, [anEvent()], 'no_stream');

        const attempts = await Promise.allSettled(Array.from({ length: 8 }, () => append(stream, [anEvent()], 0n)));

        const won = attempts.filter((a) => a.status === 'fulfilled');
        const lost = attempts.flatMap((a) => (a.status === 'rejected' ? [a.reason as unknown] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(7);
        for (const error of lost) {
          expect(error).toBeInstanceOf(WrongExpectedRevisionError);
          expect((error as WrongExpectedRevisionError).actual).toBe(1n);
        }
        expect((await store.readStream(stream)).events).toHaveLength(2);
      });

      it('lets exactly one of concurrent creations of a stream win', async () => {
        const stream = streamName();

        const attempts = await Promise.allSettled(Array.from({ length: 8 }, () => append(stream, [anEvent(), anEvent()], 'no_stream')));

        expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
        expect((await store.readStream(stream)).events).toHaveLength(2);
      });

      it('keeps concurrent appends to different streams apart, all succeeding', async () => {
        const streams = Array.from({ length: 20 }, () => streamName());

        const results = await Promise.all(streams.map((s) => append(s, [anEvent(), anEvent()], 'no_stream')));

        expect(new Set(results.map((r) => r.position)).size).toBe(streams.length);
        for (const [i, s] of streams.entries()) {
          const read = await store.readStream(s);
          expect(read.revision).toBe(1n);
          expect(read.events[1].position).toBe(results[i].position);
        }
      });
    });

    describe('subscribeToAll', () => {
      it('delivers past events, then live ones, in order', async () => {
        const stream = streamName();
        const before = await store.headPosition();
        const past = [anEvent('Past'), anEvent('Past')];
        const live = [anEvent('Live'), anEvent('Live'), anEvent('Live')];
        await append(stream, past, 'no_stream');

        let appendedLive: Promise<AppendResult> | undefined;
        const received = await collect(store, {
          after: before,
          streams: [stream],
          until: (events) => events.length >= 5,
          // Once the past is delivered, append more: the subscription is live by then.
          onEvent: (events) => {
            if (events.length === 2) appendedLive = append(stream, live, 1n);
          },
        });

        await appendedLive;
        expect(received.map((e) => e.id)).toEqual([...past, ...live].map((e) => e.id));
        expect(received.map((e) => e.streamRevision)).toEqual([0n, 1n, 2n, 3n, 4n]);
        expectStrictlyIncreasing(received.map((e) => e.position));
      });

      it('delivers events of several streams in position order', async () => {
        const a = streamName();
        const b = streamName();
        const before = await store.headPosition();
        await append(a, [anEvent()], 'no_stream');
        await append(b, [anEvent(), anEvent()], 'no_stream');
        const last = await append(a, [anEvent()], 0n);

        const received = await collect(store, { after: before, streams: [a, b], untilPosition: last.position });
        const expected = (await store.readAll({ after: before, maxCount: 100 })).filter((e) => e.streamName === a || e.streamName === b);

        expect(received).toEqual(expected);
        expect(received.map((e) => e.streamName)).toEqual([a, b, b, a]);
      });

      it('resumes exactly after a position: no event skipped, none repeated', async () => {
        const a = streamName();
        const b = streamName();
        await append(a, [anEvent(), anEvent(), anEvent()], 'no_stream'); // one multi-event append
        await append(b, [anEvent()], 'no_stream');
        const last = await append(a, [anEvent(), anEvent()], 2n);
        const ours = [...(await store.readStream(a)).events, ...(await store.readStream(b)).events].sort((x, y) =>
          x.position < y.position ? -1 : 1,
        );
        expect(ours.map((e) => e.streamName)).toEqual([a, a, a, b, a, a]);

        // After each event in turn, including the first and the middle of a multi-event append.
        for (let i = 0; i < ours.length - 1; i++) {
          const received = await collect(store, { after: ours[i].position, streams: [a, b], untilPosition: last.position });
          expect(received.map((e) => e.id)).toEqual(ours.slice(i + 1).map((e) => e.id));
        }
      });

      it('starts at the beginning of the log when no position is given', async () => {
        const result = await append(streamName(), [anEvent()], 'no_stream');
        const [first] = await store.readAll({ maxCount: 1 });

        const received = await collect(store, { untilPosition: result.position });

        expect(received[0]).toEqual(first);
        expectStrictlyIncreasing(received.map((e) => e.position));
      });

      it('ends when its signal aborts while it waits for events', async () => {
        await append(streamName(), [anEvent()], 'no_stream');
        const controller = new AbortController();
        const iterator = store.subscribeToAll({ after: await store.headPosition(), signal: controller.signal })[Symbol.asyncIterator]();

        const next = iterator.next();
        controller.abort();

        await expect(within(next, 'the subscription to end after abort')).resolves.toEqual({ done: true, value: undefined });
      });

      it('ends when its signal aborts while it delivers events', async () => {
        const stream = streamName();
        const before = await store.headPosition();
        await append(stream, [anEvent(), anEvent(), anEvent()], 'no_stream');
        const controller = new AbortController();
        const received: RecordedEvent[] = [];

        await within(
          (async () => {
            for await (const event of store.subscribeToAll({ after: before, signal: controller.signal })) {
              received.push(event);
              controller.abort();
            }
          })(),
          'the subscription to end after abort',
        );

        expect(received).toHaveLength(1);
      });

      it('ends at once when its signal has already aborted', async () => {
        await append(streamName(), [anEvent()], 'no_stream');
        const controller = new AbortController();
        controller.abort();

        const iterator = store.subscribeToAll({ signal: controller.signal })[Symbol.asyncIterator]();

        await expect(within(iterator.next(), 'the subscription to end')).resolves.toEqual({ done: true, value: undefined });
      });
    });

    describe('subscriptions filtered by event type', () => {
      it('deliver only the events of the given types, in position order, past and live', async () => {
        const stream = streamName();
        const before = await store.headPosition();
        await append(stream, [anEvent('Wanted'), anEvent('Other'), anEvent('AlsoWanted'), anEvent('Other')], 'no_stream');
        const controller = new AbortController();
        const seen: RecordedEvent[] = [];
        let live: Promise<AppendResult> | undefined;
        await within(
          (async () => {
            for await (const page of store.subscribeToAllPages({ after: before, maxCount: 10, eventTypes: ['Wanted', 'AlsoWanted'], signal: controller.signal })) {
              seen.push(...page);
              if (seen.length === 2 && !live) live = append(stream, [anEvent('Other'), anEvent('Wanted')], 3n);
              if (seen.length === 3) controller.abort();
            }
          })(),
          'the filtered pages to arrive',
        );
        await live;
        expect(seen.map((e) => [e.type, e.streamRevision])).toEqual([
          ['Wanted', 0n],
          ['AlsoWanted', 2n],
          ['Wanted', 5n],
        ]);
        const single = await collect(store, { after: before, streams: [stream], untilPosition: seen[2].position, eventTypes: ['AlsoWanted', 'Wanted'] });
        expect(single.map((e) => e.type)).toEqual(['Wanted', 'AlsoWanted', 'Wanted']);
        const read = (await store.readAll({ after: before, maxCount: 2, eventTypes: ['Wanted'] })).filter((e) => e.streamName === stream);
        expect(read.map((e) => e.streamRevision)).toEqual([0n, 5n]);
      });
    });

    describe('subscribeToAllPages', () => {
      it('delivers the log in pages of at most maxCount, in order, none skipped or repeated, then live pages', async () => {
        const stream = streamName();
        const before = await store.headPosition();
        for (let i = 0; i < 7; i++) await append(stream, [anEvent(), anEvent()], i === 0 ? 'no_stream' : BigInt(i * 2 - 1));
        const controller = new AbortController();
        const pages: RecordedEvent[][] = [];
        let live: Promise<AppendResult> | undefined;
        await within(
          (async () => {
            for await (const page of store.subscribeToAllPages({ after: before, maxCount: 3, signal: controller.signal })) {
              pages.push(page.filter((e) => e.streamName === stream));
              const seen = pages.flat().length;
              if (seen === 14 && !live) live = append(stream, [anEvent('Live')], 13n);
              if (seen === 15) controller.abort();
            }
          })(),
          'the pages to arrive and the subscription to end after abort',
        );
        await live;
        expect(pages.every((page) => page.length >= 1 && page.length <= 3)).toBe(true);
        const events = pages.flat();
        expect(events.map((e) => e.streamRevision)).toEqual(Array.from({ length: 15 }, (_, i) => BigInt(i)));
        expectStrictlyIncreasing(events.map((e) => e.position));
      });

      it('ends at once when its signal has already aborted', async () => {
        await append(streamName(), [anEvent()], 'no_stream');
        const controller = new AbortController();
        controller.abort();
        const iterator = store.subscribeToAllPages({ maxCount: 10, signal: controller.signal })[Symbol.asyncIterator]();
        await expect(within(iterator.next(), 'the subscription to end')).resolves.toEqual({ done: true, value: undefined });
      });
    });
  });
}

/** A fresh stream name, `<category>-<uuid>` as the design has it. */
export function streamName(category = 'contract'): string {
  return `${category}-${randomUUID()}`;
}

export function aMetadata(extra: Partial<EventMetadata> = {}): EventMetadata {
  return {
    organizationId: randomUUID(),
    actor: { kind: 'staff', id: randomUUID() },
    channel: 'api',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    occurredAt: new Date().toISOString(),
    schemaVersion: 1,
    ...extra,
  };
}

export function anEvent(type = 'SomethingHappened', data: Record<string, unknown> = { value: randomUUID() }): EventToAppend {
  return { id: randomUUID(), type, data, metadata: aMetadata() };
}

async function expectConflict(
  attempt: Promise<unknown>,
  stream: string | undefined,
  expected: ExpectedRevision,
  actual: bigint,
): Promise<void> {
  const error = await attempt.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  const conflict = error as WrongExpectedRevisionError;
  if (stream !== undefined) expect(conflict.streamName).toBe(stream);
  expect(conflict.expected).toBe(expected);
  expect(conflict.actual).toBe(actual);
}

function expectStrictlyIncreasing(positions: bigint[]): void {
  for (let i = 1; i < positions.length; i++) {
    if (!(positions[i] > positions[i - 1])) {
      throw new Error(`Positions not strictly increasing at ${i}: ${positions.join(', ')}`);
    }
  }
}

interface CollectOptions {
  eventTypes?: readonly string[];
  after?: bigint;
  /** Keep only the events of these streams (others may share the store). */
  streams?: string[];
  /** Stop once an event at or beyond this position arrived (whatever its stream). */
  untilPosition?: bigint;
  /** Stop once the kept events satisfy this (instead of untilPosition). */
  until?: (kept: RecordedEvent[]) => boolean;
  onEvent?: (kept: RecordedEvent[]) => void;
}

/**
 * Subscribes and gathers events until a position or a condition is reached, then aborts the
 * subscription. Fails (never hangs) when that does not happen within DELIVERY_TIMEOUT_MS.
 */
export async function collect(store: EventStore, options: CollectOptions): Promise<RecordedEvent[]> {
  const controller = new AbortController();
  const kept: RecordedEvent[] = [];
  let reached = false;
  const finished = (): boolean => (options.until ? options.until(kept) : reached);
  const consume = async (): Promise<void> => {
    for await (const event of store.subscribeToAll({ after: options.after, signal: controller.signal, eventTypes: options.eventTypes })) {
      if (options.untilPosition !== undefined && event.position >= options.untilPosition) reached = true;
      if (!options.streams || options.streams.includes(event.streamName)) {
        kept.push(event);
        options.onEvent?.(kept);
      }
      if (finished()) break;
    }
  };
  try {
    await within(consume(), `events up to ${String(options.untilPosition ?? 'the condition')}`, () => kept);
  } finally {
    controller.abort();
  }
  return kept;
}

/** Resolves as `promise` does, or fails after DELIVERY_TIMEOUT_MS saying what it waited for. */
async function within<T>(promise: Promise<T>, what: string, got?: () => RecordedEvent[]): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const received = got ? `; received ${got().length} events` : '';
      reject(new Error(`Timed out after ${DELIVERY_TIMEOUT_MS} ms waiting for ${what}${received}`));
    }, DELIVERY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
