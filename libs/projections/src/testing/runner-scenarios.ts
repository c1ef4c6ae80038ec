import { randomUUID } from 'node:crypto';
import { EventStore, EventToAppend, InMemoryEventStore } from '@app/event-store';
import { ALL_PROJECTIONS } from '../index';
import { AUDIT_BY_SUBJECT_COLLECTION, AUDIT_LOG_COLLECTION } from '../audit.projection';
import { PORTAL_ACCESS_COLLECTION } from '../portal-status.projection';
import { ProjectionRunner } from '../projection-runner';
import { ProjectionWaiter } from '../projection-waiter';
import { ReadStore } from '../read-store';

export const ORG = 'org-1';

export function event(type: string, data: Record<string, unknown>): EventToAppend {
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

export function invited(i: number): EventToAppend {
  return event('ContactInvited', {
    accessId: `access-${i}`,
    contactId: `contact-${i}`,
    portalId: 'default',
    clientId: `client-${i % 7}`,
    email: `p${i}@x.example`,
    invitationId: `inv-${i}`,
    sentAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-08T00:00:00.000Z',
  });
}

/** n contacts invited, every third one accepted, every fifth disabled. Returns the head position. */
export async function seed(store: EventStore, n: number): Promise<bigint> {
  let head = 0n;
  for (let i = 0; i < n; i++) {
    const base = { accessId: `access-${i}`, contactId: `contact-${i}` };
    const events = [invited(i)];
    if (i % 3 === 0) events.push(event('InvitationAccepted', { ...base, invitationId: `inv-${i}` }));
    if (i % 5 === 0) events.push(event('PortalAccessDisabled', { ...base, reason: null, previousStatus: i % 3 === 0 ? 'Active' : 'Invited' }));
    head = (await store.appendToStream(`portalAccess-access-${i}`, events, { expectedRevision: 'no_stream' })).position;
  }
  return head;
}

export async function snapshot(readStore: ReadStore) {
  const all = async (collection: string) => readStore.find(collection, { where: { organizationId: ORG }, limit: 100_000 });
  return {
    access: await all(PORTAL_ACCESS_COLLECTION),
    audit: await all(AUDIT_LOG_COLLECTION),
    bySubject: (await all(AUDIT_BY_SUBJECT_COLLECTION)).length,
  };
}

export async function runUntil(runner: ProjectionRunner, readStore: ReadStore, position: bigint): Promise<void> {
  const waiter = new ProjectionWaiter(readStore, ALL_PROJECTIONS.map((p) => p.name), runner);
  expect(await waiter.waitFor(position, 10_000)).toBe(true);
}

/** Polls until the condition holds (never sleeps a fixed time to let something happen). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A read store whose connection can be cut, as when its runner's process dies: every call fails from then on. */
export function cuttable(readStore: ReadStore): { store: ReadStore; cut(): void } {
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

/** The projections this runner holds the lease of (and so runs). */
export const heldBy = (runner: ProjectionRunner) => runner.status().filter((s) => s.state !== 'standby').map((s) => s.name);

/** One storage for a scenario: connections to it (as several instances would open), and an empty other one. */
export interface ScenarioStorage {
  /** Another connection to the scenario's storage. */
  open(): Promise<ReadStore>;
  /** An empty storage of its own, for a reference run. */
  fresh(): Promise<ReadStore>;
}

/**
 * The runner's rebuilds and leases against a real read store: SQLite here, MongoDB where
 * containers run. Every store the scenario opens is closed after it.
 */
export function runnerScenarios(name: string, newStorage: () => ScenarioStorage): void {
  describe(`ProjectionRunner on ${name}`, () => {
    const TTL = 300;
    let storage: ScenarioStorage;
    const opened: ReadStore[] = [];
    const runners: ProjectionRunner[] = [];
    const open = async () => {
      const store = await storage.open();
      opened.push(store);
      return store;
    };
    const fresh = async () => {
      const store = await storage.fresh();
      opened.push(store);
      return store;
    };
    const runner = (events: EventStore, readStore: ReadStore, options: ConstructorParameters<typeof ProjectionRunner>[3] = {}) => {
      const created = new ProjectionRunner(events, readStore, ALL_PROJECTIONS, options);
      runners.push(created);
      return created;
    };
    /** What a runner alone makes of the log from zero. */
    const reference = async (events: EventStore) => {
      const store = await fresh();
      const alone = runner(events, store);
      await alone.start();
      await runUntil(alone, store, await events.headPosition());
      return snapshot(store);
    };

    beforeEach(() => {
      storage = newStorage();
    });

    afterEach(async () => {
      for (const created of runners.splice(0)) await created.stop();
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });

    describe('rebuilds beside the live generation', () => {
      it('keeps answering full lists from the live generation while the new one is built, under writes, and switches to equal rows', async () => {
        const events = new InMemoryEventStore();
        const readStore = await open();
        const head = await seed(events, 600);
        const live = runner(events, readStore, { batchSize: 20 });
        await live.start();
        await runUntil(live, readStore, head);
        const before = await snapshot(readStore);

        expect(await live.rebuild('portal_status_v1')).toEqual({ started: true, generation: 1 });
        let writes = 0;
        let rebuilding = true;
        const rebuilt = live.whenRebuilt('portal_status_v1').then(() => (rebuilding = false));
        // A client writes and reads while the new generation is built: every read is the whole list.
        while (rebuilding) {
          const written = await events.appendToStream(`portalAccess-access-${1000 + writes}`, [invited(1000 + writes)], { expectedRevision: 'no_stream' });
          writes += 1;
          await runUntil(live, readStore, written.position);
          const listed = await readStore.find(PORTAL_ACCESS_COLLECTION, { where: { organizationId: ORG }, limit: 100_000 });
          expect(listed.length).toBe(600 + writes);
          if (writes > 2_000) throw new Error('the rebuild did not finish');
        }
        await rebuilt;
        expect(writes).toBeGreaterThan(1);
        expect((await readStore.generations('portal_status_v1')).live).toBe(1);
        const after = await snapshot(readStore);
        expect(after.access).toHaveLength(600 + writes);
        // Document for document what the live generation held, plus what was written meanwhile.
        expect(after.access.filter((doc) => before.access.some((old) => old.id === doc.id))).toEqual(before.access);
        expect(after).toEqual(await reference(events));
      });

      it('goes on with a rebuild after a restart, from the new generation’s own checkpoint', async () => {
        const events = new InMemoryEventStore();
        const readStore = await open();
        const head = await seed(events, 300);
        const first = runner(events, readStore, { batchSize: 10 });
        await first.start();
        await runUntil(first, readStore, head);
        const before = await snapshot(readStore);
        await first.rebuild('audit_v1');
        await until(async () => ((await readStore.generations('audit_v1')).building?.checkpoint ?? 0n) > 0n);
        await first.stop();
        const building = (await readStore.generations('audit_v1')).building!;
        expect(building.checkpoint).toBeLessThan(head);

        const logged: string[] = [];
        const again = await open();
        const second = runner(events, again, { batchSize: 10, logger: { log: (m) => logged.push(m), error: () => undefined } });
        await second.start();
        expect(logged).toContain(`audit_v1: rebuilding generation ${building.generation} goes on from position ${building.checkpoint}`);
        await second.whenRebuilt('audit_v1');
        expect(logged.some((m) => m.startsWith(`rebuilt audit_v1: generation ${building.generation} is live`))).toBe(true);
        expect(await snapshot(again)).toEqual(before);
      });
    });

    describe('several runners on one read store', () => {
      it('never lets two runners racing for the leases both hold one', async () => {
        const events = new InMemoryEventStore();
        await seed(events, 10);
        const stores = await Promise.all([open(), open(), open()]);
        const racers = stores.map((store, i) => runner(events, store, { holder: `racer-${i}`, leaseTtlMs: 60_000 }));
        await Promise.all(racers.map((r) => r.start()));
        const held = racers.flatMap((r) => heldBy(r));
        expect([...held].sort()).toEqual(ALL_PROJECTIONS.map((p) => p.name).sort());
        const leases = await stores[0].leases();
        for (const projection of ALL_PROJECTIONS) {
          const lease = leases.find((l) => l.projection === projection.name)!;
          expect(heldBy(racers[Number(lease.holder.split('-')[1])])).toContain(projection.name);
        }
      });

      it('runs each projection in exactly one runner; another takes over within the lease time when one dies', async () => {
        const events = new InMemoryEventStore();
        const head = await seed(events, 100);
        const first = cuttable(await open());
        const secondStore = await open();
        const a = runner(events, first.store, { batchSize: 10, holder: 'runner-a', leaseTtlMs: TTL });
        const b = runner(events, secondStore, { batchSize: 10, holder: 'runner-b', leaseTtlMs: TTL });
        await Promise.all([a.start(), b.start()]);
        expect([...heldBy(a), ...heldBy(b)].sort()).toEqual(ALL_PROJECTIONS.map((p) => p.name).sort());
        const waiter = new ProjectionWaiter(secondStore, ALL_PROJECTIONS.map((p) => p.name));
        expect(await waiter.waitFor(head, 10_000)).toBe(true);
        const before = await snapshot(secondStore);
        expect(before.access).toHaveLength(100);

        // a dies (its store connection is gone, it renews nothing): b runs everything within seconds.
        const diedAt = Date.now();
        first.cut();
        await until(() => heldBy(b).length === ALL_PROJECTIONS.length);
        expect(Date.now() - diedAt).toBeLessThan(TTL * 4 + 500);
        const live = await events.appendToStream('portalAccess-access-1', [event('InvitationAccepted', { accessId: 'access-1', contactId: 'contact-1', invitationId: 'inv-1' })], {
          expectedRevision: 0n,
        });
        await runUntil(b, secondStore, live.position);
        expect(await secondStore.get(PORTAL_ACCESS_COLLECTION, 'access-1')).toMatchObject({ status: 'Active' });
        expect((await snapshot(secondStore)).audit).toHaveLength(before.audit.length + 1);
      });

      it('gives a projection up when its lease is taken over, and its late batch changes nothing', async () => {
        const events = new InMemoryEventStore();
        const readStore = await open();
        const head = await seed(events, 50);
        const a = runner(events, readStore, { holder: 'runner-a', leaseTtlMs: 60_000 });
        await a.start();
        await runUntil(a, readStore, head);
        const lease = (await readStore.leases()).find((l) => l.projection === 'portal_status_v1')!;
        // Another instance takes the lease over (as it would once the lease expired).
        await (await open()).acquireLease('portal_status_v1', 'runner-b', 60_000, { evict: { holder: 'runner-a', epoch: lease.epoch } });
        const live = await events.appendToStream('portalAccess-access-2', [event('InvitationAccepted', { accessId: 'access-2', contactId: 'contact-2', invitationId: 'inv-2' })], {
          expectedRevision: 0n,
        });
        expect(await new ProjectionWaiter(readStore, ['audit_v1']).waitFor(live.position, 10_000)).toBe(true);
        await until(() => a.status().find((s) => s.name === 'portal_status_v1')!.state === 'standby');
        // Refused: neither the document nor the checkpoint moved.
        expect(await readStore.get(PORTAL_ACCESS_COLLECTION, 'access-2')).toMatchObject({ status: 'Invited' });
        expect(await readStore.getCheckpoint('portal_status_v1')).toBe(head);
        expect(a.lowestPosition()).toBeUndefined();
      });

      it('rebuilds while another instance runs: the request goes to the holder, which builds and switches', async () => {
        const events = new InMemoryEventStore();
        const head = await seed(events, 200);
        const storeA = await open();
        const storeB = await open();
        const a = runner(events, storeA, { batchSize: 25, holder: 'runner-a', leaseTtlMs: TTL });
        await a.start();
        await runUntil(a, storeA, head);
        const before = await snapshot(storeA);
        const logged: string[] = [];
        const b = runner(events, storeB, { holder: 'runner-b', leaseTtlMs: TTL, logger: { log: (m) => logged.push(m), error: () => undefined } });
        await b.start();
        expect(heldBy(b)).toEqual([]);
        expect(await b.rebuild('audit_v1')).toEqual({ started: false, reason: 'requested' });
        expect(logged).toContain('audit_v1 is run by another runner: the rebuild is requested from it');
        await until(async () => (await storeB.generations('audit_v1')).live === 1);
        expect(await storeB.generations('audit_v1')).toEqual({ live: 1, building: null, rebuildRequested: false });
        expect(await snapshot(storeA)).toEqual(before);
        // The holder publishes where it stands with its lease, for the operators of the others.
        await until(async () => ((await storeB.leases()).find((l) => l.projection === 'audit_v1')?.report as { state?: string } | null)?.state === 'running');
        // Its checkpoint is the new generation's: a write of the old one is refused, never raising it back.
        await expect(storeB.applyBatches([{ projection: 'audit_v1', writes: [], checkpoint: head + 100n, generation: 0 }])).rejects.toThrow(/neither live nor being built/);
        expect(await storeB.getCheckpoint('audit_v1')).toBe(head);
      });

      it('a runner killed mid-batch and started again resumes from its checkpoints, to the same rows', async () => {
        const events = new InMemoryEventStore();
        const head = await seed(events, 300);
        const dying = cuttable(await open());
        let batches = 0;
        const applyBatches = dying.store.applyBatches.bind(dying.store);
        dying.store.applyBatches = async (page) => {
          // The process dies in the middle of a page: this one may or may not land.
          if (++batches === 5) dying.cut();
          return applyBatches(page);
        };
        const killed = runner(events, dying.store, { batchSize: 10, holder: 'killed', leaseTtlMs: TTL });
        await killed.start();
        await until(() => batches >= 5);
        const restartedStore = await open();
        expect((await restartedStore.getCheckpoint('portal_status_v1')) ?? 0n).toBeLessThan(head);
        const restarted = runner(events, restartedStore, { batchSize: 10, holder: 'restarted', leaseTtlMs: TTL });
        await restarted.start();
        await until(() => heldBy(restarted).length === ALL_PROJECTIONS.length);
        await runUntil(restarted, restartedStore, head);
        expect(await snapshot(restartedStore)).toEqual(await reference(events));
      });
    });
  });
}
