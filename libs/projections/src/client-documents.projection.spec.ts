import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, EventToAppend, InMemoryEventStore } from '@app/event-store';
import { DomainEvent, invoice, quote, shift, timesheet } from '@app/domain';
import { CLIENT_DOCUMENTS_COLLECTION } from './client-documents';
import { clientDocumentsProjection } from './client-documents.projection';
import { ALL_PROJECTIONS } from './index';
import { ProjectionRunner } from './projection-runner';
import { ProjectionWaiter } from './projection-waiter';
import { ReadStore } from './read-store';
import { SqliteReadStore } from './read-store/sqlite.read-store';
import { eventToAppend } from './testing/events';

const ORG = 'org-docs';
let dir: string;
let store: EventStore;
let readStore: ReadStore;
let runner: ProjectionRunner;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'client-documents-'));
  store = new InMemoryEventStore();
  readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
});
afterEach(async () => {
  await runner?.stop();
  await readStore.close();
  rmSync(dir, { recursive: true, force: true });
});

let clock = 0;
const toAppend = (event: DomainEvent): EventToAppend =>
  eventToAppend(event, { organizationId: ORG, actor: { kind: 'staff', id: 'key-1' }, at: new Date(Date.UTC(2026, 2, 1, 0, 0, (clock += 1))).toISOString() });

/** Appends a decider's events to a stream, one command at a time; returns the last position. */
async function run<S, C, E extends DomainEvent>(decider: { initialState(): S; decide(c: C, s: S): E[]; evolve(s: S, e: E): S }, stream: string, commands: C[]): Promise<bigint> {
  const stored = await store.readStream(stream);
  let state = stored.events.map((e) => ({ type: e.type, data: e.data }) as unknown as E).reduce(decider.evolve, decider.initialState());
  let revision: bigint | 'no_stream' = stored.events.length ? stored.revision : 'no_stream';
  let position = 0n;
  for (const command of commands) {
    const events = decider.decide(command, state);
    state = events.reduce(decider.evolve, state);
    const result = await store.appendToStream(stream, events.map(toAppend), { expectedRevision: revision });
    revision = result.nextExpectedRevision;
    position = result.position;
  }
  return position;
}

/** Documents of all four kinds for two companies, through their lifecycles. */
async function seed(): Promise<bigint> {
  const header = (n: number, clientId: string) => ({ clientId, contactId: n % 2 ? 'contact-1' : null, number: `N-${n}`, issueDate: '2026-03-01', link: `https://erp.example/doc/${n}` });
  const lines = [{ description: 'Work', quantity: '2', unitPrice: '100.25' }];
  const details = { staffMember: { name: 'Kenji Sato' }, start: '2026-03-02T08:00:00+09:00', end: '2026-03-02T17:00:00+09:00', location: 'Warehouse 3', role: 'Driver' };
  const entries = [{ date: '2026-03-02', start: '08:00', end: '17:00', breakMinutes: 60 }];
  let head = 0n;
  for (let i = 0; i < 6; i++) {
    const clientId = `client-${i % 2}`;
    head = await run(shift, `shift-s${i}`, [
      { type: 'PublishShift', shiftId: `s${i}`, clientId, ...details },
      ...(i % 3 === 1 ? [{ type: 'UpdateShift' as const, changes: { location: 'Dock 1' } }] : []),
      ...(i % 3 === 2 ? [{ type: 'CancelShift' as const, reason: 'closed' }] : []),
    ]);
    head = await run(timesheet, `timesheet-t${i}`, [
      { type: 'SubmitTimesheet', timesheetId: `t${i}`, clientId, contactId: i % 2 ? 'contact-1' : null, staffMember: { name: 'Ana' }, entries, timeZone: 'Asia/Tokyo' },
      ...(i % 3 === 1 ? [{ type: 'ApproveTimesheet' as const }] : []),
      ...(i % 3 === 2
        ? [{ type: 'RejectTimesheet' as const, reason: 'Tuesday missing' }, { type: 'ResubmitTimesheet' as const, entries: [{ ...entries[0], end: '18:00' }], timeZone: 'Asia/Tokyo' }]
        : []),
    ]);
    head = await run(quote, `quote-q${i}`, [
      { type: 'ShareQuote', quoteId: `q${i}`, ...header(i, clientId), validUntil: '2026-03-31', currency: 'EUR', lines },
      ...(i % 3 === 1 ? [{ type: 'AcceptQuote' as const, contactId: 'contact-1', now: '2026-03-02T00:00:00Z', timeZone: 'UTC' }] : []),
      ...(i % 3 === 2 ? [{ type: 'DeclineQuote' as const, contactId: 'contact-1', reason: 'Too dear' }] : []),
    ]);
    head = await run(invoice, `invoice-i${i}`, [
      { type: 'ShareInvoice', invoiceId: `i${i}`, ...header(i, clientId), dueDate: '2026-03-31', currency: 'JPY', lines: [{ description: 'Work', quantity: '3', unitPrice: '1000' }] },
      ...(i % 3 >= 1
        ? [{ type: 'RecordInvoicePayment' as const, paymentId: `p${i}`, amount: i % 3 === 1 ? '1000' : '3000', method: 'card', reference: 'r', contactId: 'contact-1', now: '2026-03-02T00:00:00Z', timeZone: 'UTC' }]
        : []),
    ]);
  }
  // Moved to the other company (a contact dissociated with documents=move), whatever their status.
  const move = { type: 'MoveDocumentToClient' as const, toClientId: 'client-0', reason: 'contact-dissociated' as const };
  await run(timesheet, 'timesheet-t1', [move]);
  await run(quote, 'quote-q1', [move]);
  await run(invoice, 'invoice-i5', [move]);
  head = await run(shift, 'shift-s3', [move]);
  return head;
}

async function runUntil(position: bigint) {
  const waiter = new ProjectionWaiter(readStore, ALL_PROJECTIONS.map((p) => p.name), runner);
  expect(await waiter.waitFor(position, 10_000)).toBe(true);
}

const rows = () => readStore.find(CLIENT_DOCUMENTS_COLLECTION, { where: { organizationId: ORG }, limit: 1000 });

describe('client documents projection (one owner of client_documents_v2)', () => {
  it('is the only projection in ALL_PROJECTIONS that declares or writes the collection', async () => {
    const head = await seed();
    const events = await store.readAll({ maxCount: 10_000 });
    expect(events.at(-1)!.position).toBe(head);
    const declaring = ALL_PROJECTIONS.filter((p) => p.collections.some((c) => c.name === CLIENT_DOCUMENTS_COLLECTION)).map((p) => p.name);
    expect(declaring).toEqual([clientDocumentsProjection.name]);
    // Every projection writes only into collections it declares (a rebuild empties exactly those).
    for (const projection of ALL_PROJECTIONS) {
      const declared = new Set(projection.collections.map((c) => c.name));
      const written = new Set(events.flatMap((e) => projection.project(e)).map((w) => w.collection));
      for (const collection of written) expect({ projection: projection.name, collection, declared: declared.has(collection) }).toEqual({ projection: projection.name, collection, declared: true });
    }
    // No collection is declared by two projections.
    const names = ALL_PROJECTIONS.flatMap((p) => p.collections.map((c) => c.name));
    expect(names.length).toBe(new Set(names).size);
  });

  it('rebuilt from zero, gives the same rows for shifts, timesheets, quotes and invoices', async () => {
    const head = await seed();
    runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { batchSize: 5 });
    await runner.start();
    await runUntil(head);
    const before = await rows();
    expect(before).toHaveLength(24);
    const kinds = (docs: typeof before) => docs.reduce<Record<string, number>>((count, d) => ({ ...count, [d.kind as string]: (count[d.kind as string] ?? 0) + 1 }), {});
    expect(kinds(before)).toEqual({ shift: 6, timesheet: 6, quote: 6, invoice: 6 });
    expect(before.find((d) => d.id === 's2')).toMatchObject({ status: 'cancelled', statusReason: 'closed' });
    expect(before.find((d) => d.id === 't2')).toMatchObject({ status: 'submitted', summary: expect.objectContaining({ version: 2 }) });
    expect(before.find((d) => d.id === 'q2')).toMatchObject({ status: 'declined' });
    expect(before.find((d) => d.id === 'i2')).toMatchObject({ status: 'paid', balance: '0' });
    // Moved documents are listed under their new company, their status as it was.
    expect(before.find((d) => d.id === 't1')).toMatchObject({ clientId: 'client-0', contactId: 'contact-1', status: 'approved' });
    expect(before.find((d) => d.id === 'q1')).toMatchObject({ clientId: 'client-0', status: 'accepted' });
    expect(before.find((d) => d.id === 'i5')).toMatchObject({ clientId: 'client-0', status: 'paid' });
    expect(before.find((d) => d.id === 's3')).toMatchObject({ clientId: 'client-0', status: 'published' });
    const ofContact = await readStore.find(CLIENT_DOCUMENTS_COLLECTION, { where: { organizationId: ORG, clientId: 'client-1', contactId: 'contact-1' }, limit: 100 });
    expect(ofContact.map((d) => d.id).sort()).toEqual(['i1', 'i3', 'q3', 'q5', 't3', 't5']);

    await runner.rebuild(clientDocumentsProjection.name);
    await runner.whenRebuilt(clientDocumentsProjection.name);
    await runUntil(head);
    expect(await rows()).toEqual(before);

    // A fresh read store, built from zero by the runner alone: the same rows again.
    await runner.stop();
    await readStore.close();
    readStore = new SqliteReadStore(join(dir, 'fresh.sqlite'));
    runner = new ProjectionRunner(store, readStore, ALL_PROJECTIONS, { batchSize: 1000 });
    await runner.start();
    await runUntil(head);
    expect(await rows()).toEqual(before);
  });
});
