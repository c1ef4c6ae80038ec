import { createServer } from 'node:net';
import { GenericContainer, StartedTestContainer, Wait } from 'testcontainers';
import { describeWithContainers } from '../../../../test/support/containers';
import { EventToAppend, ExpectedRevision, RecordedEvent } from '../event-store';
import { anEvent, streamName } from '../testing/event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb.event-store';

const IMAGE = process.env.EVENTSTORE_IMAGE ?? 'eventstore/eventstore:24.10';

/**
 * EventStoreDB killed and restarted (on its own disk) while a subscription is live and while
 * appends are in flight: no event lost, duplicated or skipped. The host port is fixed, so the
 * client reconnects to the same address after the restart.
 */
describeWithContainers(`EventStoreDbEventStore across a server restart (${IMAGE})`, () => {
  let container: StartedTestContainer;
  let store: EventStoreDbEventStore;

  beforeAll(async () => {
    const port = await freePort();
    container = await new GenericContainer(IMAGE)
      .withEnvironment({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_RUN_PROJECTIONS: 'None', EVENTSTORE_CLUSTER_SIZE: '1' })
      .withExposedPorts({ container: 2113, host: port })
      .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCodeMatching((status) => status >= 200 && status < 300))
      .withStartupTimeout(120_000)
      .start();
    // Every append rides through a restart of several seconds on its own retries.
    store = await EventStoreDbEventStore.connect(`esdb://${container.getHost()}:${port}?tls=false`, {
      reconnectDelayMs: 100,
      maxReconnectDelayMs: 1_000,
      appendTimeoutMs: 2_000,
      appendAttempts: 30,
    });
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    await container?.stop();
  }, 60_000);

  it('delivers every event once, in order, to a subscription live across the restart', async () => {
    const stream = streamName();
    const written: EventToAppend[] = [];
    const after = await store.headPosition();
    const received = subscribeUntil(store, after, [stream], 60);

    for (let i = 0; i < 60; i += 1) {
      if (i === 30) await container.restart();
      const event = anEvent('Counted', { i });
      await store.appendToStream(stream, [event], { expectedRevision: i === 0 ? 'no_stream' : BigInt(i - 1) });
      written.push(event);
    }

    const events = await received;
    expect(events.map((e) => e.id)).toEqual(written.map((e) => e.id));
    expect(events.map((e) => e.streamRevision)).toEqual(written.map((_, i) => BigInt(i)));
    expectIncreasing(events.map((e) => e.position));
  }, 180_000);

  it('writes every append in flight during the restart exactly once, and a subscription sees each once', async () => {
    const streams = [streamName(), streamName(), streamName(), streamName()];
    const perStream = 40; // appends of one or two events each
    const total = streams.length * (perStream + perStream / 2);
    const after = await store.headPosition();
    const received = subscribeUntil(store, after, streams, total);

    let appended = 0;
    const restarted = (async () => {
      while (appended < 20) await new Promise((resolve) => setTimeout(resolve, 10));
      await container.restart(); // appends are in flight on every stream
    })();
    const written = await Promise.all(
      streams.map(async (stream) => {
        const ids: string[] = [];
        for (let i = 0; i < perStream; i += 1) {
          const events = [anEvent('Counted', { i }), anEvent('Noted', { i })].slice(0, 1 + (i % 2));
          const expected: ExpectedRevision = ids.length === 0 ? 'no_stream' : BigInt(ids.length - 1);
          const result = await store.appendToStream(stream, events, { expectedRevision: expected });
          ids.push(...events.map((e) => e.id));
          expect(result.nextExpectedRevision).toBe(BigInt(ids.length - 1));
          appended += 1;
        }
        return ids;
      }),
    );
    await restarted;

    for (const [i, stream] of streams.entries()) {
      const { events } = await store.readStream(stream);
      expect(events.map((e) => e.id)).toEqual(written[i]);
    }
    expect(written.reduce((sum, ids) => sum + ids.length, 0)).toBe(total);
    const events = await subscribeUntil(store, after, streams, total);
    expect(events).toHaveLength(total);
    expect(new Set(events.map((e) => e.id)).size).toBe(total);
    expectIncreasing(events.map((e) => e.position));
    // The live subscription saw the same log as a fresh one: nothing skipped across the restart.
    expect((await received).map((e) => e.id)).toEqual(events.map((e) => e.id));
  }, 180_000);
});

/** The events of `streams` after a position, until `count` of them arrived (at most 90 s). */
async function subscribeUntil(store: EventStoreDbEventStore, after: bigint, streams: string[], count: number): Promise<RecordedEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 90_000);
  const kept: RecordedEvent[] = [];
  try {
    for await (const event of store.subscribeToAll({ after, signal: controller.signal })) {
      if (streams.includes(event.streamName)) kept.push(event);
      if (kept.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return kept;
}

function expectIncreasing(positions: bigint[]): void {
  for (let i = 1; i < positions.length; i += 1) expect(positions[i] > positions[i - 1]).toBe(true);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
