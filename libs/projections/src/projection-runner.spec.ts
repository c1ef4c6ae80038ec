import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { EventStore, InMemoryEventStore, RecordedEvent, SqliteEventStore } from '@app/event-store';
import { ALL_PROJECTIONS } from './index';
import { PORTAL_ACCESS_COLLECTION } from './portal-status.projection';
import { ProjectionRunner } from './projection-runner';
import { ProjectionWaiter } from './projection-waiter';
import { ReadStore } from './read-store';
import { SqliteReadStore } from './read-store/sqlite.read-store';
import { event, heldBy, ORG, runnerScenarios, runUntil, seed, snapshot } from './testing/runner-scenarios';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'runner-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

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

describe('ProjectionRunner on the local disk', () => {
  it('takes at once the leases of a process of this host that has ended', async () => {
    const store = new InMemoryEventStore();
    const readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    const head = await seed(store, 20);
    const ended = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadHolder = `${hostname()}/${ended.stdout}/dead`;
    for (const projection of ALL_PROJECTIONS) expect(await readStore.acquireLease(projection.name, deadHolder, 60_000)).not.toBeNull();
    const runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS);
    await runner.start();
    expect(heldBy(runner)).toHaveLength(ALL_PROJECTIONS.length);
    await runUntil(runner, readStore, head);
    // A live process's leases are left alone until they expire.
    await runner.stop();
    for (const projection of ALL_PROJECTIONS) await readStore.acquireLease(projection.name, `${hostname()}/${process.pid}/alive`, 60_000);
    const other = new ProjectionRunner(store, readStore, ALL_PROJECTIONS);
    await other.start();
    expect(heldBy(other)).toEqual([]);
    await other.stop();
    await readStore.close();
  });
});

const scenarioDirs: string[] = [];
afterAll(() => scenarioDirs.forEach((path) => rmSync(path, { recursive: true, force: true })));
runnerScenarios('SqliteReadStore', () => {
  const path = mkdtempSync(join(tmpdir(), 'runner-scenario-'));
  scenarioDirs.push(path);
  return {
    open: async () => new SqliteReadStore(join(path, 'read-models.sqlite')),
    fresh: async () => new SqliteReadStore(join(mkdtempSync(join(path, 'fresh-')), 'read-models.sqlite')),
  };
});
