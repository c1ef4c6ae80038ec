import { EventStoreDBClient, UnavailableError } from '@eventstore/db-client';
import { GenericContainer, StartedTestContainer, Wait } from 'testcontainers';
import { describeWithContainers } from '../../../../test/support/containers';
import { RecordedEvent, WrongExpectedRevisionError } from '../event-store';
import { anEvent, collect, eventStoreContract, streamName } from '../testing/event-store.contract';
import { FakeEventStoreDbClient } from '../testing/fake-eventstoredb-client';
import { EventStoreDbEventStore, withKeepAlive } from './eventstoredb.event-store';

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
