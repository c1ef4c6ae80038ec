import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { RecordedEvent } from '@app/event-store';
import { CLIENT_DOCUMENTS_COLLECTION } from './client-documents';
import { clientDocumentsProjection } from './client-documents.projection';
import { ReadStore } from './read-store';
import { SqliteReadStore } from './read-store/sqlite.read-store';

describe('shifts and timesheets in the client documents projection', () => {
  let dir: string;
  let readStore: ReadStore;
  let position = 0n;

  const recorded = (stream: string, type: string, data: Record<string, unknown>): RecordedEvent => {
    position += 1n;
    const at = `2026-03-02T00:00:${String(position).padStart(2, '0')}.000Z`;
    return {
      id: randomUUID(),
      type,
      data,
      streamName: stream,
      streamRevision: position,
      position,
      recordedAt: at,
      metadata: { organizationId: 'o1', actor: { kind: 'staff', id: 'k1' }, channel: 'api', correlationId: 'c', causationId: 'c', occurredAt: at, schemaVersion: 1 },
    };
  };

  const shiftDetails = {
    staffMember: { id: 'w-7', name: 'Kenji Sato' },
    start: '2026-03-02T08:00:00+09:00',
    end: '2026-03-02T17:00:00+09:00',
    location: 'Warehouse 3',
    role: 'Forklift driver',
    projectId: null,
  };
  const entry = { date: '2026-03-02', start: '08:00', end: '17:00', breakMinutes: 60, note: null, minutes: 480, startsAt: '2026-03-01T23:00:00.000Z', endsAt: '2026-03-02T08:00:00.000Z' };
  const content = { staffMember: { id: null, name: 'Ana' }, timeZone: 'Asia/Tokyo', entries: [entry], totalMinutes: 480, note: null };
  const ids = { timesheetId: 't1', clientId: 'cl1', contactId: 'c1' };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shifts-timesheets-projection-'));
    readStore = new SqliteReadStore(join(dir, 'rm.sqlite'));
    await readStore.ensureCollections(clientDocumentsProjection.collections);
    position = 0n;
  });
  afterEach(async () => {
    await readStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function apply(events: RecordedEvent[]) {
    await readStore.applyBatch(clientDocumentsProjection.name, events.flatMap((e) => clientDocumentsProjection.project(e)), position);
  }

  it('keeps one row per shift: published, updated, cancelled; a replayed batch changes nothing', async () => {
    const events = [
      recorded('shift-s1', 'ShiftPublished', { shiftId: 's1', clientId: 'cl1', ...shiftDetails }),
      recorded('shift-s1', 'ShiftUpdated', { shiftId: 's1', clientId: 'cl1', changes: { role: null }, shift: { ...shiftDetails, role: null, projectId: 'p1' } }),
      recorded('shift-s1', 'ShiftCancelled', { shiftId: 's1', clientId: 'cl1', reason: 'closed' }),
    ];
    await apply(events);
    const first = await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 's1');
    expect(first).toEqual({
      id: 's1',
      organizationId: 'o1',
      kind: 'shift',
      clientId: 'cl1',
      contactId: null,
      projectId: 'p1',
      number: null,
      title: 'Shift: Kenji Sato',
      status: 'cancelled',
      pending: false,
      awaitsApproval: false,
      statusReason: 'closed',
      createdAt: '2026-03-02T00:00:01.000Z',
      updatedAt: '2026-03-02T00:00:03.000Z',
      summary: {
        staffMember: { id: 'w-7', name: 'Kenji Sato' },
        start: '2026-03-02T08:00:00+09:00',
        end: '2026-03-02T17:00:00+09:00',
        startsAt: '2026-03-01T23:00:00.000Z',
        endsAt: '2026-03-02T08:00:00.000Z',
        location: 'Warehouse 3',
        role: null,
      },
    });
    await apply(events);
    expect(await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 's1')).toEqual(first);
  });

  it('follows a timesheet through rejection, resubmission and approval; pending while it awaits a decision', async () => {
    await apply([recorded('timesheet-t1', 'TimesheetSubmitted', { ...ids, projectId: null, ...content })]);
    expect(await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 't1')).toMatchObject({
      kind: 'timesheet',
      clientId: 'cl1',
      contactId: 'c1',
      status: 'submitted',
      pending: true,
      awaitsApproval: true,
      title: 'Timesheet: Ana, 2026-03-02',
      summary: { totalMinutes: 480, firstDate: '2026-03-02', lastDate: '2026-03-02', version: 1, timeZone: 'Asia/Tokyo' },
    });
    await apply([recorded('timesheet-t1', 'TimesheetRejected', { ...ids, reason: 'Tuesday missing' })]);
    expect(await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 't1')).toMatchObject({ status: 'rejected', pending: false, statusReason: 'Tuesday missing' });
    const tuesday = { ...entry, date: '2026-03-03', startsAt: '2026-03-02T23:00:00.000Z', endsAt: '2026-03-03T08:00:00.000Z' };
    await apply([recorded('timesheet-t1', 'TimesheetResubmitted', { ...ids, version: 2, ...content, entries: [entry, tuesday], totalMinutes: 960 })]);
    expect(await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 't1')).toMatchObject({
      status: 'submitted',
      pending: true,
      statusReason: null,
      title: 'Timesheet: Ana, 2026-03-02 to 2026-03-03',
      summary: { totalMinutes: 960, version: 2 },
    });
    await apply([recorded('timesheet-t1', 'TimesheetApproved', ids)]);
    const approved = await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 't1');
    expect(approved).toMatchObject({ status: 'approved', pending: false, createdAt: '2026-03-02T00:00:01.000Z', updatedAt: '2026-03-02T00:00:04.000Z' });
    const listed = await readStore.find(CLIENT_DOCUMENTS_COLLECTION, { where: { organizationId: 'o1', clientId: 'cl1', kind: 'timesheet', status: 'approved' }, limit: 10 });
    expect(listed.map((d) => d.id)).toEqual(['t1']);
  });

  it('ignores events of other kinds', () => {
    expect(clientDocumentsProjection.project(recorded('contact-c1', 'ContactAdded', { contactId: 'c1' }))).toEqual([]);
  });
});
