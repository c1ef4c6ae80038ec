import { AccessDeniedError, EventStoreDBClient, UnavailableError } from '@eventstore/db-client';
import { GenericContainer, StartedTestContainer, Wait } from 'testcontainers';
import { describeWithContainers } from '../../../../test/support/containers';
import {
  AppendOutcomeUnknownError,
  CheckpointBeyondHeadError,
  RecordedEvent,
  SubscriptionFailedError,
  WrongExpectedRevisionError,
} from '../event-store';
import { anEvent, collect, eventStoreContract, streamName } from '../testing/event-store.contract';
import { FakeEventStoreDbClient } from '../testing/fake-eventstoredb-client';
import { EventStoreDbEventStore, isAtLeast, withKeepAlive } from './eventstoredb.event-store';

const IMAGE = process.env.EVENTSTORE_IMAGE ?? 'eventstore/eventstore:24.10';

describeWithContainers(`EventStoreDbEventStore on a real server (${IMAGE})`, () => {
  let container: StartedTestContainer;
  let url: string;

  beforeAll(async () => {
    container = await new GenericContainer(IMAGE)
      .withEnvironment({
        EVENTSTORE_INSECURE: 'true',
        EVENTSTORE_RUN_PROJECTIONS: 'None',
        EVENTSTORE_MEM_DB: 'true',
        EVENTSTORE_CLUSTER_SIZE: '1',
      })
      .withExposedPorts(2113)
      // /health/live answers 204 once the node serves requests.
      .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCodeMatching((status) => status >= 200 && status < 300))
      .withStartupTimeout(120_000)
      .start();
    url = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  eventStoreContract('EventStoreDbEventStore', async () => new EventStoreDbEventStore(url));

  it('gives every event of a multi-event append its own $all position, commit = prepare', async () => {
    // The adapter's position mapping rests on this (see the class comment): check it on the server.
    const store = new EventStoreDbEventStore(url);
    const client = EventStoreDBClient.connectionString(url);
    try {
      const stream = streamName();
      const before = await store.headPosition();
      await store.appendToStream(stream, [anEvent(), anEvent(), anEvent()], { expectedRevision: 'no_stream' });

      const positions = [];
      for await (const resolved of client.readAll({ fromPosition: { commit: before, prepare: before }, maxCount: 100 })) {
        if (resolved.event?.streamId === stream) positions.push(resolved.event.position);
      }

      expect(positions).toHaveLength(3);
      for (const position of positions) expect(position.commit).toBe(position.prepare);
      expect(new Set(positions.map((p) => p.prepare)).size).toBe(3);
    } finally {
      await client.dispose();
      await store.close();
    }
  });

  it('reports conflicts from the server with the actual revision', async () => {
    const store = new EventStoreDbEventStore(url);
    try {
      const stream = streamName();
      await store.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: 'no_stream' });

      const error = await store.appendToStream(stream, [anEvent()], { expectedRevision: 5n }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect((error as WrongExpectedRevisionError).actual).toBe(1n);
    } finally {
      await store.close();
    }
  });
});

// The adapter's own logic against a stand-in client that follows the server's rules (see
// fake-eventstoredb-client.ts): runs everywhere, including where no container runtime answers.
describe('EventStoreDbEventStore with a fake client', () => {
  const shared = new FakeEventStoreDbClient(); // one log for the whole contract, like a server
  eventStoreContract('EventStoreDbEventStore (fake client)', async () => new EventStoreDbEventStore(asClient(shared)));

  let fake: FakeEventStoreDbClient;
  let store: EventStoreDbEventStore;
  let drops: unknown[];

  beforeEach(() => {
    fake = new FakeEventStoreDbClient();
    drops = [];
    store = new EventStoreDbEventStore(asClient(fake), {
      reconnectDelayMs: 1,
      onSubscriptionDropped: (error) => drops.push(error),
    });
  });

  afterEach(async () => {
    await store.close();
  });

  it('resubscribes after a dropped connection, right after the last delivered event', async () => {
    const stream = streamName();
    await store.appendToStream(stream, [anEvent(), anEvent(), anEvent()], { expectedRevision: 'no_stream' });
    const last = await store.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: 2n });

    const received = await collect(store, {
      streams: [stream],
      untilPosition: last.position,
      onEvent: (kept) => {
        if (kept.length === 2) fake.dropSubscriptions(new UnavailableError());
      },
    });

    expect(received.map((e) => e.streamRevision)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(drops).toHaveLength(1);
    expect(fake.calls.subscribeToAll).toHaveLength(2);
    expect(fake.calls.subscribeToAll[1]).toEqual({ commit: received[1].position, prepare: received[1].position });
  });

  it('resubscribes when the server ends the subscription', async () => {
    const stream = streamName();
    await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' });

    let appended: Promise<unknown> | undefined;
    const received = await collect(store, {
      streams: [stream],
      until: (kept) => kept.length === 2,
      onEvent: (kept) => {
        if (kept.length !== 1) return;
        fake.endSubscriptions();
        appended = store.appendToStream(stream, [anEvent()], { expectedRevision: 0n });
      },
    });

    await appended;
    expect(received.map((e) => e.streamRevision)).toEqual([0n, 1n]);
    expect(fake.calls.subscribeToAll.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps resubscribing while the server is unreachable, and ends on abort', async () => {
    const controller = new AbortController();
    const original = fake.subscribeToAll.bind(fake);
    let attempts = 0;
    fake.subscribeToAll = (options) => {
      const subscription = original(options);
      attempts += 1;
      process.nextTick(() => {
        if (attempts < 5) subscription.destroy(new UnavailableError());
        else controller.abort();
      });
      return subscription;
    };

    const received: RecordedEvent[] = [];
    for await (const event of store.subscribeToAll({ signal: controller.signal })) received.push(event);

    expect(received).toEqual([]);
    expect(attempts).toBe(5);
    expect(drops).toHaveLength(4);
  });

  it('skips system events in readAll, reading on past pages of them', async () => {
    const before = await store.headPosition();
    for (let i = 0; i < 250; i++) fake.appendSystemEvent(`$stats-${i % 3}`);
    const stream = streamName();
    await store.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: 'no_stream' });

    const read = await store.readAll({ after: before, maxCount: 1 });

    expect(read.map((e) => [e.streamName, e.streamRevision])).toEqual([[stream, 0n]]);
    expect(fake.calls.readAll.every((call) => call.maxCount !== undefined && Number(call.maxCount) <= 101)).toBe(true);
  });

  it('skips system events written after the newest event in headPosition', async () => {
    const result = await store.appendToStream(streamName(), [anEvent()], { expectedRevision: 'no_stream' });
    for (let i = 0; i < 250; i++) fake.appendSystemEvent('$stats-1');

    expect(await store.headPosition()).toBe(result.position);
  });

  it('headPosition is 0 when the log holds only system events', async () => {
    expect(await store.headPosition()).toBe(0n);
  });

  it('reports a conflict when the client is set not to throw on append failure', async () => {
    fake.throwOnAppendFailure = false;
    const stream = streamName();
    await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' });

    const error = await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect((error as WrongExpectedRevisionError).actual).toBe(0n);
  });

  describe('appends whose outcome is unknown', () => {
    beforeEach(async () => {
      await store.close();
      store = new EventStoreDbEventStore(asClient(fake), { reconnectDelayMs: 1, appendTimeoutMs: 50, appendAttempts: 3 });
    });

    it.each(['dropped-after-write', 'hang-after-write', 'dropped', 'hang'] as const)(
      'are retried with the same ids and expected revision after "%s": written once',
      async (failure) => {
        const stream = streamName();
        await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' });
        const events = [anEvent(), anEvent()];
        fake.failNextAppends(failure);

        const result = await store.appendToStream(stream, events, { expectedRevision: 0n });

        const { events: stored } = await store.readStream(stream);
        expect(stored.map((e) => e.id)).toEqual([expect.any(String), ...events.map((e) => e.id)]);
        expect(result.nextExpectedRevision).toBe(2n);
        expect(result.position).toBe(stored[2].position);
        const attempts = fake.appendAttempts.filter((a) => a.streamName === stream).slice(1);
        expect(attempts).toHaveLength(2);
        expect(attempts[1]).toEqual(attempts[0]);
        expect(attempts[0]).toEqual({ streamName: stream, ids: events.map((e) => e.id), expectedRevision: 0n });
      },
    );

    it('answers a real conflict when another writer got there first, not a duplicate', async () => {
      const stream = streamName();
      await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' });
      fake.failNextAppends('dropped');
      const ours = store.appendToStream(stream, [anEvent()], { expectedRevision: 0n }).catch((e: unknown) => e);
      await fake.appendToStream(stream, [jsonEventOf(anEvent())], { expectedRevision: 0n }); // the other writer, meanwhile

      const error = await ours;

      expect(error).toBeInstanceOf(WrongExpectedRevisionError);
      expect((await store.readStream(stream)).revision).toBe(1n);
    });

    it('gives up after its attempts, within a bound, saying the outcome is unknown', async () => {
      const stream = streamName();
      fake.failNextAppends('hang', 'hang', 'hang');
      const started = Date.now();

      const error = await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AppendOutcomeUnknownError);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(fake.appendAttempts.filter((a) => a.streamName === stream)).toHaveLength(3);
      // Nothing was written, and the stream is free for the next writer.
      expect(await store.readStream(stream)).toEqual({ events: [], revision: -1n });
      await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' });
    });

    it('does not retry what the server refused', async () => {
      const original = fake.appendToStream.bind(fake);
      let attempts = 0;
      fake.appendToStream = async () => {
        attempts += 1;
        throw new AccessDeniedError(undefined, 'Access denied');
      };
      await expect(store.appendToStream(streamName(), [anEvent()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(AccessDeniedError);
      expect(attempts).toBe(1);
      fake.appendToStream = original;
    });
  });

  describe('subscription failures retrying cannot fix', () => {
    let failed: SubscriptionFailedError[];

    beforeEach(async () => {
      await store.close();
      failed = [];
      store = new EventStoreDbEventStore(asClient(fake), {
        reconnectDelayMs: 1,
        onSubscriptionDropped: (error) => drops.push(error),
        onSubscriptionFailed: (error) => failed.push(error),
      });
    });

    it('fail loudly on access denied, without resubscribing, and health can read why', async () => {
      fake.refuseSubscriptions(new AccessDeniedError(undefined, 'Access denied'));

      const error = await collect(store, { until: () => false }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SubscriptionFailedError);
      expect((error as Error).message).toMatch(/Access denied/);
      expect(failed).toEqual([error]);
      expect(drops).toEqual([]);
      expect(fake.calls.subscribeToAll).toHaveLength(1);
      expect(fake.openSubscriptions).toBe(0);
      expect(store.subscriptionFailure()).toEqual({ reason: (error as Error).message, at: expect.any(String) });

      // Once the cause is fixed, a subscription that delivers clears the failure.
      fake.acceptSubscriptions();
      const result = await store.appendToStream(streamName(), [anEvent()], { expectedRevision: 'no_stream' });
      await collect(store, { untilPosition: result.position });
      expect(store.subscriptionFailure()).toBeUndefined();
    });

    it('fail loudly on a position inside a record (invalid position)', async () => {
      const result = await store.appendToStream(streamName(), [anEvent()], { expectedRevision: 'no_stream' });

      const error = await collect(store, { after: result.position - 1n, until: () => false }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SubscriptionFailedError);
      expect((error as Error).message).toMatch(/invalid position/);
      expect(drops).toEqual([]);
    });

    it('refuse a checkpoint beyond the head of the log, saying why, without subscribing', async () => {
      const head = (await store.appendToStream(streamName(), [anEvent()], { expectedRevision: 'no_stream' })).position;

      const error = await collect(store, { after: head + 1_000n, until: () => false }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(CheckpointBeyondHeadError);
      expect((error as Error).message).toContain(`after position ${head + 1_000n}: the event log ends at ${head}`);
      expect(fake.calls.subscribeToAll).toEqual([]);
      expect(store.subscriptionFailure()?.reason).toBe((error as Error).message);
    });

    it('refuse to resubscribe past the head when the log was reset while the subscription was away', async () => {
      const stream = streamName();
      await store.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: 'no_stream' });

      const error = await collect(store, {
        until: () => false,
        onEvent: (kept) => {
          if (kept.length !== 2) return;
          fake.wipe();
          fake.dropSubscriptions(new UnavailableError());
        },
      }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(CheckpointBeyondHeadError);
      expect(drops).toHaveLength(1);
    });

    it('keep resubscribing after transient errors meanwhile', async () => {
      expect(store.subscriptionFailure()).toBeUndefined();
      const stream = streamName();
      const last = await store.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: 'no_stream' });
      const received = await collect(store, {
        streams: [stream],
        untilPosition: last.position,
        onEvent: (kept) => {
          if (kept.length === 1) fake.dropSubscriptions(new UnavailableError());
        },
      });
      expect(received).toHaveLength(2);
      expect(failed).toEqual([]);
    });
  });

  describe('subscriptions end with their consumer', () => {
    it('closes the server-side subscription at once when the consumer returns while waiting for an event', async () => {
      const iterator = store.subscribeToAll({})[Symbol.asyncIterator]();
      const pending = iterator.next(); // nothing to deliver: waits
      await until(() => fake.openSubscriptions === 1);

      await iterator.return!();

      expect(fake.openSubscriptions).toBe(0);
      expect(await pending).toEqual({ done: true, value: undefined });
      expect(fake.calls.subscribeToAll).toHaveLength(1); // and no resubscription
    });

    it('closes it when a batch fails while the next event is awaited, one subscription per retry', async () => {
      // As a batching consumer does: it reads ahead (a next() stays pending), the batch fails,
      // it calls return() without waiting for that next(), and retries from its checkpoint.
      const stream = streamName();
      await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' });
      for (let retry = 1; retry <= 3; retry += 1) {
        const iterator = store.subscribeToAll({})[Symbol.asyncIterator]();
        let next = await iterator.next();
        while (!next.done && next.value.streamName !== stream) next = await iterator.next();
        const readAhead = iterator.next(); // no more events: stays pending
        void iterator.return!(); // the batch failed

        await until(() => fake.openSubscriptions === 0);
        expect(await readAhead).toEqual({ done: true, value: undefined });
        expect(fake.calls.subscribeToAll).toHaveLength(retry);
      }
    });
  });

  describe('close()', () => {
    it('ends the subscriptions, closes the gRPC channel, and nothing restarts after it', async () => {
      const consumed = (async () => {
        const received: RecordedEvent[] = [];
        for await (const event of store.subscribeToAll({})) received.push(event);
        return received;
      })();
      await until(() => fake.openSubscriptions === 1);
      fake.dropSubscriptions(new UnavailableError()); // a resubscription is now pending

      await store.close();

      expect(await consumed).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(fake.calls.subscribeToAll).toHaveLength(1);
      expect(fake.openSubscriptions).toBe(0);
      expect(fake.disposed).toBe(true);
      expect(fake.channel.closed).toBe(true);
      await expect(store.appendToStream(streamName(), [anEvent()], { expectedRevision: 'no_stream' })).rejects.toThrow(/closed/);
      const late: RecordedEvent[] = [];
      for await (const event of store.subscribeToAll({})) late.push(event);
      expect(late).toEqual([]);
      expect(fake.calls.subscribeToAll).toHaveLength(1);
    });
  });

  describe('the server version', () => {
    it('is checked: 22.6 or later', async () => {
      fake.serverVersion = '24.10.1';
      await expect(store.checkServerVersion()).resolves.toBe('24.10.1');
      fake.serverVersion = '22.6.0';
      await expect(store.checkServerVersion()).resolves.toBe('22.6.0');
      fake.serverVersion = '21.10.9';
      await expect(store.checkServerVersion()).rejects.toThrow('EventStoreDB 21.10.9 is not supported: this service needs 22.6 or later');
      fake.serverVersion = 'unknown';
      await expect(store.checkServerVersion()).rejects.toThrow(/not supported/);
    });

    it('compares major and minor numbers', () => {
      expect(isAtLeast('22.10.0', [22, 6])).toBe(true);
      expect(isAtLeast('23.6.0', [22, 6])).toBe(true);
      expect(isAtLeast('22.5.9', [22, 6])).toBe(false);
      expect(isAtLeast('5.0.0', [22, 6])).toBe(false);
      expect(isAtLeast('', [22, 6])).toBe(false);
    });
  });
});

describe('EventStoreDbEventStore from a connection string', () => {
  it('opens one client per process', async () => {
    const first = new EventStoreDbEventStore('esdb://localhost:2113?tls=false');
    expect(() => new EventStoreDbEventStore('esdb://localhost:2113?tls=false')).toThrow(/already open in this process/);
    await first.close();
    const next = new EventStoreDbEventStore('esdb://localhost:2113?tls=false');
    await next.close();
  });
});

describe('withKeepAlive', () => {
  it('adds gRPC keep-alive settings to a connection string', () => {
    expect(withKeepAlive('esdb://localhost:2113?tls=false')).toBe(
      'esdb://localhost:2113?tls=false&keepAliveInterval=10000&keepAliveTimeout=10000',
    );
    expect(withKeepAlive('esdb://a:2113,b:2113')).toBe('esdb://a:2113,b:2113?keepAliveInterval=10000&keepAliveTimeout=10000');
  });

  it('keeps settings the connection string already has', () => {
    expect(withKeepAlive('esdb://h:2113?tls=false&KeepAliveInterval=5000')).toBe(
      'esdb://h:2113?tls=false&KeepAliveInterval=5000&keepAliveTimeout=10000',
    );
  });

  it('gives a connection string the client accepts', () => {
    const client = EventStoreDBClient.connectionString(withKeepAlive('esdb://localhost:2113?tls=false'));
    void client.dispose();
  });
});

function asClient(fake: FakeEventStoreDbClient): EventStoreDBClient {
  return fake as unknown as EventStoreDBClient;
}

function jsonEventOf(event: ReturnType<typeof anEvent>) {
  return { id: event.id, type: event.type, data: event.data, metadata: event.metadata, contentType: 'application/json' as const };
}

/** Waits for a condition the fake reaches within a few turns of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i += 1) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}
