import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, EventToAppend, InMemoryEventStore } from '@app/event-store';
import { DomainEvent, project, ProjectCommand, projectStream } from '@app/domain';
import { ALL_PROJECTIONS } from './index';
import { ProjectionRunner } from './projection-runner';
import { ProjectionWaiter } from './projection-waiter';
import {
  PROJECT_CLIENTS_COLLECTION,
  PROJECT_MEMBERS_COLLECTION,
  PROJECT_PERMISSIONS_COLLECTION,
  projectMembershipsProjection,
  projectPermissionsProjection,
  PROJECTS_COLLECTION,
} from './projects.projection';
import { ReadStore } from './read-store';
import { SqliteReadStore } from './read-store/sqlite.read-store';
import { eventToAppend } from './testing/events';

const ORG = 'org-projects';
let dir: string;
let store: EventStore;
let readStore: ReadStore;
let runner: ProjectionRunner | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'projects-projection-'));
  store = new InMemoryEventStore();
  readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
});
afterEach(async () => {
  await runner?.stop();
  runner = undefined;
  await readStore.close();
  rmSync(dir, { recursive: true, force: true });
});

let clock = 0;
const toAppend = (event: DomainEvent): EventToAppend =>
  eventToAppend(event, { organizationId: ORG, actor: { kind: 'staff', id: 'key-1' }, at: new Date(Date.UTC(2026, 2, 1, 0, 0, (clock += 1))).toISOString() });

/** Decides and appends the commands on a project's stream, one at a time; answers the last position. */
async function run(projectId: string, commands: ProjectCommand[]): Promise<bigint> {
  const stream = projectStream(projectId);
  const stored = await store.readStream(stream);
  let state = stored.events.map((e) => ({ type: e.type, data: e.data }) as never).reduce(project.evolve, project.initialState());
  let revision: bigint | 'no_stream' = stored.events.length ? stored.revision : 'no_stream';
  let position = 0n;
  for (const command of commands) {
    const events = project.decide(command, state);
    if (events.length === 0) continue;
    state = events.reduce(project.evolve, state);
    const result = await store.appendToStream(stream, events.map(toAppend), { expectedRevision: revision });
    revision = result.nextExpectedRevision;
    position = result.position;
  }
  return position;
}

const rate = (amount: string) => ({ amount, currency: 'EUR' });

/** Two projects through their lives: companies in and out, the primary changed, users, rates, customizations. */
async function seed(): Promise<bigint> {
  await run('p1', [
    { type: 'CreateProject', projectId: 'p1', name: 'Warehouse move', billingMethod: 'staff-hours' },
    { type: 'AddClientCompanyToProject', clientId: 'acme' },
    { type: 'AddClientCompanyToProject', clientId: 'beta' },
    { type: 'AddClientUserToProject', contactId: 'ana', contactClientIds: ['acme'], hourlyRate: rate('45.50') },
    { type: 'AddClientUserToProject', contactId: 'bo', contactClientIds: ['acme'] },
    { type: 'AddClientUserToProject', contactId: 'cy', contactClientIds: ['beta'], hourlyRate: rate('30') },
    { type: 'ChangeClientUserRate', contactId: 'bo', hourlyRate: rate('50') },
    { type: 'CustomizeProjectPermissions', contactId: 'ana', modules: { quotes: { view: true, approve: true } } },
    { type: 'CloneProjectPermissions', fromContactId: 'ana', toContactIds: ['bo', 'cy'] },
    { type: 'ResetProjectPermissions', contactId: 'bo' },
    { type: 'SetPrimaryClient', clientId: 'beta' },
    { type: 'RemoveClientCompanyFromProject', clientId: 'beta' },
  ]);
  await run('p2', [
    { type: 'CreateProject', projectId: 'p2', name: 'Night shifts', billingMethod: 'staff-hours' },
    { type: 'AddClientCompanyToProject', clientId: 'acme', primary: false },
    { type: 'AddClientUserToProject', contactId: 'ana', contactClientIds: ['acme'], hourlyRate: rate('60') },
    { type: 'AddClientUserToProject', contactId: 'bo', contactClientIds: ['acme'] },
    { type: 'RemoveClientUserFromProject', contactId: 'bo', notify: true },
    { type: 'UpdateProject', changes: { name: 'Night shifts (2026)', billingMethod: 'fixed' } },
    { type: 'ArchiveProject' },
  ]);
  return run('p1', [{ type: 'AddClientUserToProject', contactId: 'dee', contactClientIds: ['acme'] }]);
}

async function runUntil(position: bigint) {
  const waiter = new ProjectionWaiter(readStore, ALL_PROJECTIONS.map((p) => p.name), runner);
  expect(await waiter.waitFor(position, 10_000)).toBe(true);
}

async function snapshot() {
  const all = (collection: string) => readStore.find(collection, { where: { organizationId: ORG }, limit: 1000 });
  const [projects, clients, members, permissions] = await Promise.all([
    all(PROJECTS_COLLECTION),
    readStore.find(PROJECT_CLIENTS_COLLECTION, { where: { projectId: 'p1' }, limit: 100 }).then(async (p1) => [...p1, ...(await readStore.find(PROJECT_CLIENTS_COLLECTION, { where: { projectId: 'p2' }, limit: 100 }))]),
    all(PROJECT_MEMBERS_COLLECTION),
    all(PROJECT_PERMISSIONS_COLLECTION),
  ]);
  return { projects, clients, members, permissions };
}

describe('project membership and effective permissions projections', () => {
  it('keep projects, their companies and client users, and where each user’s permissions come from', async () => {
    const head = await seed();
    runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { batchSize: 4 });
    await runner.start();
    await runUntil(head);
    const rows = await snapshot();

    expect(rows.projects.map((p) => ({ id: p.id, name: p.name, billingMethod: p.billingMethod, archived: p.archived, primaryClientId: p.primaryClientId, clients: p.clientCount, users: p.clientUserCount }))).toEqual([
      // The primary (beta) was removed: p1 has none until another is set.
      { id: 'p1', name: 'Warehouse move', billingMethod: 'staff-hours', archived: false, primaryClientId: null, clients: 1, users: 3 },
      { id: 'p2', name: 'Night shifts (2026)', billingMethod: 'fixed', archived: true, primaryClientId: null, clients: 1, users: 1 },
    ]);
    expect(rows.clients.map((c) => [c.id, c.primary])).toEqual([
      ['p1:acme', false],
      ['p2:acme', false],
    ]);
    expect(rows.members.map((m) => [m.id, m.clientId, m.hourlyRate])).toEqual([
      ['p1:ana', 'acme', { amount: 4550, currency: 'EUR' }],
      ['p1:bo', 'acme', { amount: 5000, currency: 'EUR' }],
      ['p1:dee', 'acme', null],
      // Its rate ended when the project stopped billing by staff hours.
      ['p2:ana', 'acme', null],
    ]);
    expect(rows.permissions.map((p) => [p.id, p.source, p.clonedFrom, p.modules === null ? null : (p.modules as any).quotes.approve])).toEqual([
      ['p1:ana', 'project', null, true],
      ['p1:bo', 'user-type', null, null],
      ['p1:dee', 'user-type', null, null],
      ['p2:ana', 'user-type', null, null],
    ]);
    // A contact's projects, and a company's.
    expect((await readStore.find(PROJECT_MEMBERS_COLLECTION, { where: { organizationId: ORG, contactId: 'ana' }, limit: 10 })).map((m) => m.projectId)).toEqual(['p1', 'p2']);
    expect((await readStore.find(PROJECT_CLIENTS_COLLECTION, { where: { organizationId: ORG, clientId: 'beta' }, limit: 10 })).length).toBe(0);
  });

  it('rebuilt from zero, give the same rows', async () => {
    const head = await seed();
    runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { batchSize: 3 });
    await runner.start();
    await runUntil(head);
    const before = await snapshot();

    await runner.rebuild(projectMembershipsProjection.name);
    await runner.rebuild(projectPermissionsProjection.name);
    await runner.whenRebuilt(projectMembershipsProjection.name);
    await runner.whenRebuilt(projectPermissionsProjection.name);
    await runUntil(head);
    expect(await snapshot()).toEqual(before);

    // A replayed batch changes nothing.
    const events = await store.readAll({ maxCount: 10_000 });
    for (const projection of [projectMembershipsProjection, projectPermissionsProjection]) {
      await readStore.applyBatch(projection.name, events.flatMap((e) => projection.project(e)), head);
    }
    expect(await snapshot()).toEqual(before);

    // A fresh read store, built from zero in one batch: the same rows again.
    await runner.stop();
    await readStore.close();
    readStore = new SqliteReadStore(join(dir, 'fresh.sqlite'));
    runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { batchSize: 1000 });
    await runner.start();
    await runUntil(head);
    expect(await snapshot()).toEqual(before);
  });
});
