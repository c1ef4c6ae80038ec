import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { EventStore, EventToAppend, InMemoryEventStore, RecordedEvent, SqliteEventStore } from '@app/event-store';
import { ALL_PROJECTIONS } from './index';
import { AUDIT_BY_SUBJECT_COLLECTION, AUDIT_LOG_COLLECTION } from './audit.projection';
import { PORTAL_ACCESS_COLLECTION } from './portal-status.projection';
import { ProjectionRunner } from './projection-runner';
import { ProjectionWaiter } from './projection-waiter';
import { ReadStore } from './read-store';
import { SqliteReadStore } from './read-store/sqlite.read-store';

const ORG = 'org-1';
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'runner-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function event(type: string, data: Record<string, unknown>): EventToAppend {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      organizationId: ORG,
      actor: { kind: 'staff', id: 'key-1' },
      channel: 'api',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
    },
  };
}

/** n contacts invited, every third one accepted, every fifth disabled. Returns the head position. */
async function seed(store: EventStore, n: number): Promise<bigint> {
  let head = 0n;
  for (let i = 0; i < n; i++) {
    const accessId = `access-${i}`;
    const base = { accessId, contactId: `contact-${i}` };
    const events = [
      event('ContactInvited', { ...base, portalId: 'default', clientId: `client-${i % 7}`, email: `p${i}@x.example`, invitationId: `inv-${i}`, sentAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-08T00:00:00.000Z' }),
    ];
    if (i % 3 === 0) events.push(event('InvitationAccepted', { ...base, invitationId: `inv-${i}` }));
    if (i % 5 === 0) events.push(event('PortalAccessDisabled', { ...base, reason: null, previousStatus: i % 3 === 0 ? 'Active' : 'Invited' }));
    head = (await store.appendToStream(`portalAccess-${accessId}`, events, { expectedRevision: 'no_stream' })).position;
  }
  return head;
}

async function snapshot(readStore: ReadStore) {
  const all = async (collection: string) => readStore.find(collection, { where: { organizationId: ORG }, limit: 100_000 });
  return {
    access: await all(PORTAL_ACCESS_COLLECTION),
    audit: await all(AUDIT_LOG_COLLECTION),
    bySubject: (await all(AUDIT_BY_SUBJECT_COLLECTION)).length,
  };
}

async function runUntil(runner: ProjectionRunner, readStore: ReadStore, position: bigint) {
  const waiter = new ProjectionWaiter(readStore, ALL_PROJECTIONS.map((p) => p.name), runner);
  expect(await waiter.waitFor(position, 10_000)).toBe(true);
}

describe('ProjectionRunner', () => {
  it('catches up from zero, in batches, and keeps up with live events', async () => {
    const store = new InMemoryEventStore();
    const readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    const head = await seed(store, 300);
    const runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { batchSize: 100 });
    await runner.start();
    await runUntil(runner, readStore, head);
    const view = await snapshot(readStore);
    expect(view.access).toHaveLength(300);
    expect(view.access.find((d) => d.id === 'access-15')).toMatchObject({ status: 'Disabled', invitationCount: 1, clientId: 'client-1' });
    expect(view.access.find((d) => d.id === 'access-3')).toMatchObject({ status: 'Active' });
    expect(view.audit).toHaveLength(300 + 100 + 60);

    const live = await store.appendToStream('portalAccess-access-1', [event('InvitationAccepted', { accessId: 'access-1', contactId: 'contact-1', invitationId: 'inv-1' })], {
      expectedRevision: 0n,
    });
    await runUntil(runner, readStore, live.position);
    expect(await readStore.get(PORTAL_ACCESS_COLLECTION, 'access-1')).toMatchObject({ status: 'Active' });
    await runner.stop();
    await readStore.close();
  });

  it('resumes from its checkpoint after a stop, and a replayed batch changes nothing', async () => {
    const store = new InMemoryEventStore();
    const file = join(dir, 'rm.sqlite');
    let readStore: ReadStore = new SqliteReadStore(file);
    const first = await seed(store, 50);
    let runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { batchSize: 7 });
    await runner.start();
    await runUntil(runner, readStore, first);
    await runner.stop();
    const before = await snapshot(readStore);

    // A crash after writing a batch but before its checkpoint: the batch is delivered again.
    for (const projection of ALL_PROJECTIONS) {
      const events = await store.readAll({ maxCount: 1000 });
      await readStore.applyBatch(projection.name, events.slice(-20).flatMap((e) => projection.project(e)), first);
    }
    expect(await snapshot(readStore)).toEqual(before);
    await readStore.close();

    readStore = new SqliteReadStore(file);
    const more = await store.appendToStream('portalAccess-access-2', [event('InvitationAccepted', { accessId: 'access-2', contactId: 'contact-2', invitationId: 'inv-2' })], {
      expectedRevision: 0n,
    });
    runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS);
    await runner.start();
    await runUntil(runner, readStore, more.position);
    const after = await snapshot(readStore);
    expect(after.audit).toHaveLength(before.audit.length + 1);
    expect(after.access.find((d) => d.id === 'access-2')).toMatchObject({ status: 'Active', invitationCount: 1 });
    await runner.stop();
    await readStore.close();
  });

  it('rebuilds a projection from zero to the same result', async () => {
    const store = new InMemoryEventStore();
    const readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    const head = await seed(store, 120);
    const runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { batchSize: 16 });
    await runner.start();
    await runUntil(runner, readStore, head);
    const before = await snapshot(readStore);
    expect(await runner.rebuild('portal_status_v1')).toEqual({ started: true, generation: 1 });
    expect(await runner.rebuild('audit_v1')).toEqual({ started: true, generation: 1 });
    expect(await runner.rebuild('audit_v1')).toEqual({ started: false, reason: 'already-rebuilding' });
    await runner.whenRebuilt('portal_status_v1');
    await runner.whenRebuilt('audit_v1');
    expect((await readStore.generations('portal_status_v1')).live).toBe(1);
    expect((await readStore.generations('audit_v1')).live).toBe(1);
    await runUntil(runner, readStore, head);
    expect(await snapshot(readStore)).toEqual(before);
    await runner.stop();
    await readStore.close();
  });

  it('reads the log once per page for all projections, one read-store transaction per page', async () => {
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    const readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    const head = await seed(store, 200);
    let subscriptions = 0;
    let pages = 0;
    const counting: EventStore = Object.assign(Object.create(store) as EventStore, {
      subscribeToAllPages: (options: Parameters<EventStore['subscribeToAllPages']>[0]) => {
        subscriptions += 1;
        const source = store.subscribeToAllPages(options);
        return (async function* () {
          for await (const page of source) {
            pages += 1;
            yield page;
          }
        })();
      },
    });
    const applied: number[] = [];
    const applyBatches = readStore.applyBatches.bind(readStore);
    readStore.applyBatches = async (batches) => {
      applied.push(batches.length);
      return applyBatches(batches);
    };
    const runner = new ProjectionRunner(counting, readStore, ALL_PROJECTIONS, { batchSize: 100 });
    await runner.start();
    await runUntil(runner, readStore, head);
    expect(subscriptions).toBe(1);
    expect(pages).toBe(Math.ceil(Number(head) / 100));
    expect(applied.every((n) => n === ALL_PROJECTIONS.length)).toBe(true);
    expect(applied).toHaveLength(pages);
    await runner.stop();
    await readStore.close();
    await store.close();
  });

  it('stops only a projection that throws; it resumes from its checkpoint while the others keep up', async () => {
    const store = new InMemoryEventStore();
    const readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    const head = await seed(store, 30);
    let broken = true;
    const fragile = {
      name: 'fragile_v1',
      collections: [{ name: 'fragile_v1', indexes: [['organizationId']] }],
      eventTypes: ['InvitationAccepted'],
      project: (e: RecordedEvent) => {
        if (broken) throw new Error('a bug in this projection');
        return [{ op: 'insert' as const, collection: 'fragile_v1', id: e.id, doc: { organizationId: ORG } }];
      },
    };
    const errors: string[] = [];
    const runner = new ProjectionRunner(store, readStore, [...ALL_PROJECTIONS, fragile], {
      batchSize: 10,
      logger: { log: () => undefined, error: (message) => errors.push(message) },
    });
    await runner.start();
    // The others reach the head; the fragile one stays at its checkpoint, failed.
    const others = new ProjectionWaiter(readStore, ALL_PROJECTIONS.map((p) => p.name));
    expect(await others.waitFor(head, 10_000)).toBe(true);
    const status = () => runner.status().find((p) => p.name === 'fragile_v1')!;
    expect(status()).toMatchObject({ state: 'failed', lastError: 'a bug in this projection' });
    expect(errors[0]).toMatch(/fragile_v1 failed/);
    expect(await readStore.find('fragile_v1', { where: { organizationId: ORG }, limit: 1000 })).toHaveLength(0);
    expect((await readStore.getCheckpoint('fragile_v1')) ?? 0n).toBeLessThan(head);
    const live = await store.appendToStream('portalAccess-access-1', [event('InvitationAccepted', { accessId: 'access-1', contactId: 'contact-1', invitationId: 'inv-1' })], { expectedRevision: 0n });
    expect(await others.waitFor(live.position, 10_000)).toBe(true);

    // Fixed: it resumes from its checkpoint, catches up, and joins the others.
    broken = false;
    expect(await new ProjectionWaiter(readStore, ['fragile_v1']).waitFor(live.position, 10_000)).toBe(true);
    expect(await readStore.find('fragile_v1', { where: { organizationId: ORG }, limit: 1000 })).toHaveLength(10 + 1);
    expect(status()).toMatchObject({ state: 'running', position: live.position });
    await runner.stop();
    await readStore.close();
  });

  it('rebuilds one projection in a lane of its own: the others stay current while it catches up', async () => {
    const store = new InMemoryEventStore();
    const readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    const head = await seed(store, 400);
    const runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { batchSize: 25 });
    await runner.start();
    await runUntil(runner, readStore, head);
    const before = await snapshot(readStore);
    await runner.rebuild('audit_v1');
    expect(runner.status().find((p) => p.name === 'audit_v1')).toMatchObject({ state: 'rebuilding', rebuild: { generation: 1 } });
    const live = await store.appendToStream('portalAccess-access-7', [event('InvitationAccepted', { accessId: 'access-7', contactId: 'contact-7', invitationId: 'inv-7' })], { expectedRevision: 0n });
    const portalStatus = new ProjectionWaiter(readStore, ['portal_status_v1']);
    expect(await portalStatus.waitFor(live.position, 10_000)).toBe(true);
    await runUntil(runner, readStore, live.position);
    await runner.whenRebuilt('audit_v1');
    const after = await snapshot(readStore);
    expect(after.audit).toHaveLength(before.audit.length + 1);
    expect(runner.status().every((p) => p.position === live.position && p.rebuild === null)).toBe(true);
    await runner.stop();
    await readStore.close();
  });
});

/** Polls until the condition holds (never sleeps a fixed time to let something happen). */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('ProjectionRunner rebuilds beside the live generation', () => {
  it('keeps answering full lists from the live generation while the new one is built, under writes, and switches to equal rows', async () => {
    const store = new InMemoryEventStore();
    const readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    const head = await seed(store, 600);
    const runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { batchSize: 20 });
    await runner.start();
    await runUntil(runner, readStore, head);
    const before = await snapshot(readStore);

    await runner.rebuild('portal_status_v1');
    let writes = 0;
    let reads = 0;
    let rebuilding = true;
    const rebuilt = runner.whenRebuilt('portal_status_v1').then(() => (rebuilding = false));
    // A client writes and reads while the new generation is built: every read is the whole list.
    while (rebuilding) {
      const i = 1000 + writes++;
      const written = await store.appendToStream(
        `portalAccess-access-${i}`,
        [event('ContactInvited', { accessId: `access-${i}`, contactId: `contact-${i}`, portalId: 'default', clientId: 'client-1', email: `p${i}@x.example`, invitationId: `inv-${i}`, sentAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-08T00:00:00.000Z' })],
        { expectedRevision: 'no_stream' },
      );
      await runUntil(runner, readStore, written.position);
      const listed = await readStore.find(PORTAL_ACCESS_COLLECTION, { where: { organizationId: ORG }, limit: 100_000 });
      reads += 1;
      expect(listed.length).toBe(600 + writes);
      if (reads > 2_000) throw new Error('the rebuild did not finish');
    }
    await rebuilt;
    expect(writes).toBeGreaterThan(0);
    expect((await readStore.generations('portal_status_v1')).live).toBe(1);
    const after = await snapshot(readStore);
    expect(after.access).toHaveLength(600 + writes);
    // Document for document what the live generation held, plus what was written meanwhile.
    expect(after.access.filter((doc) => before.access.some((old) => old.id === doc.id))).toEqual(before.access);
    const fresh = new SqliteReadStore(join(dir, 'fresh.sqlite'));
    const reference = new ProjectionRunner(store, fresh, ALL_PROJECTIONS);
    await reference.start();
    await runUntil(reference, fresh, await store.headPosition());
    expect((await snapshot(fresh)).access).toEqual(after.access);
    await reference.stop();
    await fresh.close();
    await runner.stop();
    await readStore.close();
  });

  it('goes on with a rebuild after a restart, from the new generation’s own checkpoint', async () => {
    const store = new InMemoryEventStore();
    const file = join(dir, 'rm.sqlite');
    let readStore = new SqliteReadStore(file);
    const head = await seed(store, 300);
    let runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { batchSize: 10 });
    await runner.start();
    await runUntil(runner, readStore, head);
    const before = await snapshot(readStore);
    await runner.rebuild('audit_v1');
    await until(async () => ((await readStore.generations('audit_v1')).building?.checkpoint ?? 0n) > 0n);
    await runner.stop();
    const building = (await readStore.generations('audit_v1')).building!;
    expect(building.checkpoint).toBeLessThan(head);
    await readStore.close();

    readStore = new SqliteReadStore(file);
    const logged: string[] = [];
    runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { batchSize: 10, logger: { log: (m) => logged.push(m), error: () => undefined } });
    await runner.start();
    expect(logged).toContain(`audit_v1: rebuilding generation ${building.generation} goes on from position ${building.checkpoint}`);
    await runner.whenRebuilt('audit_v1');
    expect(logged.some((m) => m.startsWith(`rebuilt audit_v1: generation ${building.generation} is live`))).toBe(true);
    expect(await snapshot(readStore)).toEqual(before);
    await runner.stop();
    await readStore.close();
  });
});

describe('ProjectionRunner leases: several runners on one read store', () => {
  const TTL = 300;

  /** A read store whose connection can be cut, as when the runner's process dies: every call fails from then on. */
  function cuttable(readStore: ReadStore): { store: ReadStore; cut(): void } {
    let cut = false;
    const store = new Proxy(readStore, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => (cut ? Promise.reject(new Error('connection lost')) : value.apply(target, args));
      },
    });
    return { store, cut: () => (cut = true) };
  }

  const heldBy = (runner: ProjectionRunner) => runner.status().filter((s) => s.state !== 'standby').map((s) => s.name);

  it('runs each projection in exactly one runner; another takes over within the lease time when one dies', async () => {
    const store = new InMemoryEventStore();
    const head = await seed(store, 100);
    const first = cuttable(new SqliteReadStore(join(dir, 'rm.sqlite')));
    const secondStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    const a = new ProjectionRunner(store, first.store, ALL_PROJECTIONS, { batchSize: 10, holder: 'runner-a', leaseTtlMs: TTL });
    const b = new ProjectionRunner(store, secondStore, ALL_PROJECTIONS, { batchSize: 10, holder: 'runner-b', leaseTtlMs: TTL });
    await Promise.all([a.start(), b.start()]);
    // Each projection in one of them, none in both.
    expect([...heldBy(a), ...heldBy(b)].sort()).toEqual(ALL_PROJECTIONS.map((p) => p.name).sort());
    const waiter = new ProjectionWaiter(secondStore, ALL_PROJECTIONS.map((p) => p.name));
    expect(await waiter.waitFor(head, 10_000)).toBe(true);
    const before = await snapshot(secondStore);
    expect(before.access).toHaveLength(100);

    // a dies (its store connection is gone, it renews nothing): b has everything within seconds.
    const diedAt = Date.now();
    first.cut();
    await until(() => heldBy(b).length === ALL_PROJECTIONS.length);
    expect(Date.now() - diedAt).toBeLessThan(TTL * 3);
    const live = await store.appendToStream('portalAccess-access-1', [event('InvitationAccepted', { accessId: 'access-1', contactId: 'contact-1', invitationId: 'inv-1' })], { expectedRevision: 0n });
    await runUntil(b, secondStore, live.position);
    expect(await secondStore.get(PORTAL_ACCESS_COLLECTION, 'access-1')).toMatchObject({ status: 'Active' });
    expect((await snapshot(secondStore)).audit).toHaveLength(before.audit.length + 1);
    await a.stop();
    await b.stop();
    await secondStore.close();
  });

  it('gives a projection up when its lease is taken over, and its late batch changes nothing', async () => {
    const store = new InMemoryEventStore();
    const readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    const head = await seed(store, 50);
    const runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { holder: 'runner-a', leaseTtlMs: 60_000 });
    await runner.start();
    await runUntil(runner, readStore, head);
    const lease = (await readStore.leases()).find((l) => l.projection === 'portal_status_v1')!;
    // Another instance takes the lease over (as it would once the lease expired).
    await readStore.acquireLease('portal_status_v1', 'runner-b', 60_000, { evict: { holder: 'runner-a', epoch: lease.epoch } });
    const live = await store.appendToStream('portalAccess-access-2', [event('InvitationAccepted', { accessId: 'access-2', contactId: 'contact-2', invitationId: 'inv-2' })], { expectedRevision: 0n });
    await new ProjectionWaiter(readStore, ['audit_v1']).waitFor(live.position, 10_000);
    await until(() => runner.status().find((s) => s.name === 'portal_status_v1')!.state === 'standby');
    // Refused: neither the document nor the checkpoint moved.
    expect(await readStore.get(PORTAL_ACCESS_COLLECTION, 'access-2')).toMatchObject({ status: 'Invited' });
    expect(await readStore.getCheckpoint('portal_status_v1')).toBe(head);
    expect(runner.lowestPosition()).toBeUndefined();
    await runner.stop();
    await readStore.close();
  });

  it('hands a rebuild requested through another runner to the one that holds the projection', async () => {
    const store = new InMemoryEventStore();
    const head = await seed(store, 200);
    const storeA = new SqliteReadStore(join(dir, 'rm.sqlite'));
    const storeB = new SqliteReadStore(join(dir, 'rm.sqlite'));
    const a = new ProjectionRunner(store, storeA, ALL_PROJECTIONS, { batchSize: 25, holder: 'runner-a', leaseTtlMs: TTL });
    await a.start();
    await runUntil(a, storeA, head);
    const before = await snapshot(storeA);
    const logged: string[] = [];
    const b = new ProjectionRunner(store, storeB, ALL_PROJECTIONS, { holder: 'runner-b', leaseTtlMs: TTL, logger: { log: (m) => logged.push(m), error: () => undefined } });
    await b.start();
    expect(heldBy(b)).toEqual([]);
    expect(await b.rebuild('audit_v1')).toEqual({ started: false, reason: 'requested' });
    expect(logged).toContain('audit_v1 is run by another runner: the rebuild is requested from it');
    await until(async () => (await storeA.generations('audit_v1')).live === 1);
    expect(await storeB.generations('audit_v1')).toEqual({ live: 1, building: null, rebuildRequested: false });
    expect(await snapshot(storeB)).toEqual(before);
    // The holder publishes where it stands with its lease, for the operators of the others.
    await until(async () => ((await storeB.leases()).find((l) => l.projection === 'audit_v1')?.report as { rebuild: unknown; state: string } | null)?.state === 'running');
    await a.stop();
    await b.stop();
    await storeA.close();
    await storeB.close();
  });

  it('takes at once the leases of a process of this host that has ended', async () => {
    const store = new InMemoryEventStore();
    const readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    const head = await seed(store, 20);
    const { spawnSync } = await import('node:child_process');
    const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadHolder = `${require('node:os').hostname()}/${ended.stdout}/dead`;
    for (const projection of ALL_PROJECTIONS) expect(await readStore.acquireLease(projection.name, deadHolder, 60_000)).not.toBeNull();
    const runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS);
    await runner.start();
    expect(heldBy(runner)).toHaveLength(ALL_PROJECTIONS.length);
    await runUntil(runner, readStore, head);
    // A live process's leases are left alone until they expire.
    await runner.stop();
    for (const projection of ALL_PROJECTIONS) await readStore.acquireLease(projection.name, `${require('node:os').hostname()}/${process.pid}/alive`, 60_000);
    const other = new ProjectionRunner(store, readStore, ALL_PROJECTIONS);
    await other.start();
    expect(heldBy(other)).toEqual([]);
    await other.stop();
    await readStore.close();
  });

  it('a runner killed mid-batch and started again resumes from its checkpoints, to the same rows', async () => {
    const store = new InMemoryEventStore();
    const head = await seed(store, 300);
    const file = join(dir, 'rm.sqlite');
    const dying = cuttable(new SqliteReadStore(file));
    let batches = 0;
    const applyBatches = dying.store.applyBatches.bind(dying.store);
    dying.store.applyBatches = async (b) => {
      if (++batches === 5) dying.cut(); // the process dies in the middle of a page
      return applyBatches(b);
    };
    const killed = new ProjectionRunner(store, dying.store, ALL_PROJECTIONS, { batchSize: 10, holder: 'killed', leaseTtlMs: TTL });
    await killed.start();
    await until(() => batches >= 5);
    const restartedStore = new SqliteReadStore(file);
    expect((await restartedStore.getCheckpoint('portal_status_v1')) ?? 0n).toBeLessThan(head);
    const restarted = new ProjectionRunner(store, restartedStore, ALL_PROJECTIONS, { batchSize: 10, holder: 'restarted', leaseTtlMs: TTL });
    await restarted.start();
    await until(() => heldBy(restarted).length === ALL_PROJECTIONS.length);
    await runUntil(restarted, restartedStore, head);
    const fresh = new SqliteReadStore(join(dir, 'fresh.sqlite'));
    const reference = new ProjectionRunner(store, fresh, ALL_PROJECTIONS);
    await reference.start();
    await runUntil(reference, fresh, head);
    expect(await snapshot(restartedStore)).toEqual(await snapshot(fresh));
    for (const runner of [killed, restarted, reference]) await runner.stop();
    await restartedStore.close();
    await fresh.close();
  });
});
