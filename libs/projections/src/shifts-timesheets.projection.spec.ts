import { ShiftEvent, TimesheetEvent } from '@app/domain';
import { CLIENT_DOCUMENTS_COLLECTION } from './client-documents';
import { clientDocumentsProjection } from './client-documents.projection';
import { eventLog, recordedEvent } from './testing/events';
import { projectionSpec } from './testing/projection-spec';

describe('shifts and timesheets in the client documents projection', () => {
  const spec = projectionSpec(clientDocumentsProjection);
  const history = () => {
    const log = eventLog({ start: '2026-03-02T00:00:00.000Z' });
    return {
      events: log.events,
      shift: (event: ShiftEvent) => log.record('shift-s1', event),
      timesheet: (event: TimesheetEvent) => log.record('timesheet-t1', event),
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

  it('keeps one row per shift: published, updated, cancelled; the same when delivered again or rebuilt', async () => {
    const { events, shift } = history();
    shift({ type: 'ShiftPublished', data: { shiftId: 's1', clientId: 'cl1', ...shiftDetails } });
    shift({ type: 'ShiftUpdated', data: { shiftId: 's1', clientId: 'cl1', changes: { role: null }, shift: { ...shiftDetails, role: null, projectId: 'p1' } } });
    shift({ type: 'ShiftCancelled', data: { shiftId: 's1', clientId: 'cl1', reason: 'closed' } });
    const { readStore } = await spec.given(events);
    expect(await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 's1')).toEqual({
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
  });

  it('follows a timesheet through rejection, resubmission and approval; pending while it awaits a decision', async () => {
    const { events, timesheet } = history();
    const row = async () => (await spec.given(events)).readStore.get(CLIENT_DOCUMENTS_COLLECTION, 't1');
    timesheet({ type: 'TimesheetSubmitted', data: { ...ids, projectId: null, ...content } });
    expect(await row()).toMatchObject({
      kind: 'timesheet',
      clientId: 'cl1',
      contactId: 'c1',
      status: 'submitted',
      pending: true,
      awaitsApproval: true,
      title: 'Timesheet: Ana, 2026-03-02',
      summary: { totalMinutes: 480, firstDate: '2026-03-02', lastDate: '2026-03-02', version: 1, timeZone: 'Asia/Tokyo' },
    });
    timesheet({ type: 'TimesheetRejected', data: { ...ids, reason: 'Tuesday missing' } });
    expect(await row()).toMatchObject({ status: 'rejected', pending: false, statusReason: 'Tuesday missing' });
    const tuesday = { ...entry, date: '2026-03-03', startsAt: '2026-03-02T23:00:00.000Z', endsAt: '2026-03-03T08:00:00.000Z' };
    timesheet({ type: 'TimesheetResubmitted', data: { ...ids, version: 2, ...content, entries: [entry, tuesday], totalMinutes: 960 } });
    expect(await row()).toMatchObject({
      status: 'submitted',
      pending: true,
      statusReason: null,
      title: 'Timesheet: Ana, 2026-03-02 to 2026-03-03',
      summary: { totalMinutes: 960, version: 2 },
    });
    timesheet({ type: 'TimesheetApproved', data: ids });
    const { readStore } = await spec.given(events);
    expect(await readStore.get(CLIENT_DOCUMENTS_COLLECTION, 't1')).toMatchObject({ status: 'approved', pending: false, createdAt: '2026-03-02T00:00:01.000Z', updatedAt: '2026-03-02T00:00:04.000Z' });
    const listed = await readStore.find(CLIENT_DOCUMENTS_COLLECTION, { where: { organizationId: 'o1', clientId: 'cl1', kind: 'timesheet', status: 'approved' }, limit: 10 });
    expect(listed.map((d) => d.id)).toEqual(['t1']);
  });

  it('ignores events of other kinds', () => {
    expect(clientDocumentsProjection.project(recordedEvent({ type: 'ContactAdded', data: { contactId: 'c1' } }, { stream: 'contact-c1' }))).toEqual([]);
  });
});
