import { clientCompany, clientCompanyStream, contact, contactStream } from '@app/domain';
import { InMemoryEventStore, WrongExpectedRevisionError } from '@app/event-store';
import { ProblemException } from '../http/problem';
import { CommandContext } from '../http/request-context';
import { CommandExecutor } from './command-executor';

const context: CommandContext = { organizationId: 'org-1', actor: { kind: 'staff', id: 'key-1' }, channel: 'api', correlationId: 'corr-1' };
const register = (clientId: string) => ({ type: 'RegisterClientCompany' as const, clientId, name: 'Acme' });

describe('CommandExecutor', () => {
  it('appends the decided events with metadata and answers their position', async () => {
    const store = new InMemoryEventStore();
    const executor = new CommandExecutor(store);
    const result = await executor.execute({ streamName: clientCompanyStream('c1'), decider: clientCompany, command: register('c1'), context });
    const { events } = await store.readStream(clientCompanyStream('c1'));
    expect(events).toHaveLength(1);
    expect(result.position).toBe(events[0].position);
    expect(events[0].metadata).toMatchObject({ organizationId: 'org-1', actor: { kind: 'staff', id: 'key-1' }, channel: 'api', correlationId: 'corr-1', schemaVersion: 1 });
    expect(Date.parse(events[0].metadata.occurredAt)).not.toBeNaN();
  });

  it('decides again on a conflict, then answers 409 after a bounded number of attempts', async () => {
    const store = new InMemoryEventStore();
    let conflicts = 0;
    const append = store.appendToStream.bind(store);
    store.appendToStream = async (...args) => {
      if (conflicts++ < 2) throw new WrongExpectedRevisionError(args[0], args[2].expectedRevision, 0n);
      return append(...args);
    };
    const executor = new CommandExecutor(store);
    await executor.execute({ streamName: contactStream('p1'), decider: contact, command: { type: 'AddContact', contactId: 'p1', clientId: 'c1', name: 'Ana' }, context });
    expect(conflicts).toBe(3);

    store.appendToStream = async (...args) => {
      throw new WrongExpectedRevisionError(args[0], args[2].expectedRevision, 0n);
    };
    const failing = executor.execute({ streamName: contactStream('p2'), decider: contact, command: { type: 'AddContact', contactId: 'p2', clientId: 'c1', name: 'Bo' }, context });
    await expect(failing).rejects.toBeInstanceOf(ProblemException);
    await expect(failing).rejects.toMatchObject({ status: 409, code: 'concurrency-conflict' });
  });

  it("treats another organization's stream as not found", async () => {
    const store = new InMemoryEventStore();
    const executor = new CommandExecutor(store);
    await executor.execute({ streamName: clientCompanyStream('c1'), decider: clientCompany, command: register('c1'), context });
    const other = { ...context, organizationId: 'org-2' };
    expect((await executor.load(clientCompanyStream('c1'), clientCompany, 'org-2')).state.registered).toBe(false);
    await expect(executor.execute({ streamName: clientCompanyStream('c1'), decider: clientCompany, command: register('c1'), context: other })).rejects.toMatchObject({
      kind: 'not-found',
    });
  });

  it('derives event ids from the idempotency key, so the same retried append is not duplicated', async () => {
    const store = new InMemoryEventStore();
    const executor = new CommandExecutor(store);
    const keyed = { ...context, idempotencyKey: 'org-1:key-1' };
    await executor.execute({ streamName: clientCompanyStream('c1'), decider: clientCompany, command: register('c1'), context: keyed });
    await executor.execute({ streamName: clientCompanyStream('c2'), decider: clientCompany, command: register('c2'), context: keyed });
    const [a] = (await store.readStream(clientCompanyStream('c1'))).events;
    const [b] = (await store.readStream(clientCompanyStream('c2'))).events;
    expect(a.id).not.toBe(b.id);
    const again = await store.appendToStream(clientCompanyStream('c1'), [{ id: a.id, type: a.type, data: a.data, metadata: a.metadata }], { expectedRevision: 'no_stream' });
    expect(again.position).toBe(a.position);
    expect((await store.readStream(clientCompanyStream('c1'))).events).toHaveLength(1);
  });

  it('lets concurrent writers of one stream take turns: fifty at once, no conflict, every one applied', async () => {
    const store = new InMemoryEventStore();
    const append = store.appendToStream.bind(store);
    let conflicts = 0;
    store.appendToStream = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 1)); // an fsync's worth of waiting
      try {
        return await append(...args);
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) conflicts += 1;
        throw error;
      }
    };
    const executor = new CommandExecutor(store);
    await executor.execute({ streamName: contactStream('hot'), decider: contact, command: { type: 'AddContact', contactId: 'hot', clientId: 'c0', name: 'Hot' }, context });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        executor.execute({ streamName: contactStream('hot'), decider: contact, command: { type: 'AssociateContact', clientId: `c${i + 1}` }, context }),
      ),
    );
    expect(conflicts).toBe(0);
    expect(new Set(results.map((r) => r.position)).size).toBe(50);
    expect((await store.readStream(contactStream('hot'))).events).toHaveLength(51);
  });

  it('keeps other streams independent of a slow one', async () => {
    const store = new InMemoryEventStore();
    const executor = new CommandExecutor(store);
    const order: string[] = [];
    const append = store.appendToStream.bind(store);
    store.appendToStream = async (stream, ...rest) => {
      if (stream === contactStream('slow')) await new Promise((resolve) => setTimeout(resolve, 50));
      order.push(stream);
      return append(stream, ...rest);
    };
    const add = (id: string) => executor.execute({ streamName: contactStream(id), decider: contact, command: { type: 'AddContact', contactId: id, clientId: 'c1', name: id }, context });
    await Promise.all([add('slow'), add('fast')]);
    expect(order).toEqual([contactStream('fast'), contactStream('slow')]);
  });

  it('keeps folded states and reads only the events written since, also by another writer', async () => {
    const store = new InMemoryEventStore();
    const reads: (bigint | undefined)[] = [];
    const read = store.readStream.bind(store);
    store.readStream = async (name, options) => {
      reads.push(options?.fromRevision);
      return read(name, options);
    };
    const executor = new CommandExecutor(store);
    const stream = contactStream('cached');
    await executor.execute({ streamName: stream, decider: contact, command: { type: 'AddContact', contactId: 'cached', clientId: 'c0', name: 'Ana' }, context });
    await executor.execute({ streamName: stream, decider: contact, command: { type: 'AssociateContact', clientId: 'c1' }, context });
    // Another process appends behind this one's back.
    const other = new CommandExecutor(store);
    await other.execute({ streamName: stream, decider: contact, command: { type: 'AssociateContact', clientId: 'c2' }, context });
    reads.length = 0;
    const loaded = await executor.load(stream, contact, 'org-1');
    expect(loaded.state.clientIds).toEqual(['c0', 'c1', 'c2']);
    expect(loaded.revision).toBe(2n);
    expect(reads).toEqual([2n]); // only what came after the kept revision 1
    expect((await executor.load(stream, contact, 'org-2')).revision).toBe(-1n);
  });

  it('decides several commands on one stream together, in one append, each succeeding or failing on its own', async () => {
    const store = new InMemoryEventStore();
    let appends = 0;
    const append = store.appendToStream.bind(store);
    store.appendToStream = async (...args) => {
      appends += 1;
      return append(...args);
    };
    const executor = new CommandExecutor(store);
    const stream = contactStream('batch');
    await executor.execute({ streamName: stream, decider: contact, command: { type: 'AddContact', contactId: 'batch', clientId: 'c0', name: 'Ana' }, context });
    appends = 0;
    const outcomes = await executor.executeEach({
      streamName: stream,
      decider: contact,
      items: [
        { command: { type: 'AssociateContact', clientId: 'c1' }, context },
        { command: { type: 'DissociateContact', clientId: 'c0' }, context }, // the primary: refused
        { command: { type: 'AssociateContact', clientId: 'c1' }, context }, // already, by the first: nothing
        { command: { type: 'AssociateContact', clientId: 'c2' }, context: { ...context, actor: { kind: 'staff', id: 'key-2' } } },
      ],
    });
    expect(appends).toBe(1);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { code: 'cannot-dissociate-primary-client' } });
    const { events } = await store.readStream(stream);
    expect(events.map((e) => [e.type, (e.data as { clientId?: string }).clientId, e.metadata.actor.id])).toEqual([
      ['ContactAdded', 'c0', 'key-1'],
      ['ContactAssociated', 'c1', 'key-1'],
      ['ContactAssociated', 'c2', 'key-2'],
    ]);
    expect(outcomes[3]).toEqual({ ok: true, position: events[2].position });
  });
});
