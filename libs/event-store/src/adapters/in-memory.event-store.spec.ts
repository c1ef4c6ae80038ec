import { randomUUID } from 'node:crypto';
import { anEvent, eventStoreContract, streamName } from '../testing/event-store.contract';
import { InMemoryEventStore } from './in-memory.event-store';

eventStoreContract('InMemoryEventStore', async () => new InMemoryEventStore());

describe('InMemoryEventStore', () => {
  it('hands out copies: changing a read event does not change the log', async () => {
    const store = new InMemoryEventStore();
    const stream = streamName();
    await store.appendToStream(stream, [anEvent('Created', { nested: { value: 1 } })], { expectedRevision: 'no_stream' });

    const [read] = (await store.readStream(stream)).events;
    (read.data.nested as { value: number }).value = 2;

    expect((await store.readStream(stream)).events[0].data).toEqual({ nested: { value: 1 } });
  });

  it('rejects what EventStoreDB would reject or hide', async () => {
    const store = new InMemoryEventStore();
    const append = (stream: string, events: ReturnType<typeof anEvent>[]) =>
      store.appendToStream(stream, events, { expectedRevision: 'any' });

    await expect(append(streamName(), [])).rejects.toThrow(TypeError);
    await expect(append(streamName(), [{ ...anEvent(), id: 'not-a-uuid' }])).rejects.toThrow(/UUID/);
    await expect(append('$system', [anEvent()])).rejects.toThrow(/reserved/);
    await expect(append(streamName(), [anEvent('$internal')])).rejects.toThrow(/type/);
    const twice = anEvent();
    await expect(append(streamName(), [twice, twice])).rejects.toThrow(/twice/);
    expect(await store.headPosition()).toBe(0n);
  });

  it('refuses an event id already stored elsewhere', async () => {
    const store = new InMemoryEventStore();
    const event = anEvent();
    await store.appendToStream(streamName(), [event], { expectedRevision: 'no_stream' });

    await expect(store.appendToStream(streamName(), [event], { expectedRevision: 'no_stream' })).rejects.toThrow(/already stored/);
  });

  it('stores upper-case UUIDs lower-case, as EventStoreDB returns them', async () => {
    const store = new InMemoryEventStore();
    const id = randomUUID().toUpperCase();
    const stream = streamName();
    await store.appendToStream(stream, [{ ...anEvent(), id }], { expectedRevision: 'no_stream' });

    expect((await store.readStream(stream)).events[0].id).toBe(id.toLowerCase());
  });

  it('ends its subscriptions when closed', async () => {
    const store = new InMemoryEventStore();
    const iterator = store.subscribeToAll({})[Symbol.asyncIterator]();
    const next = iterator.next();

    await store.close();

    await expect(next).resolves.toEqual({ done: true, value: undefined });
  });
});
