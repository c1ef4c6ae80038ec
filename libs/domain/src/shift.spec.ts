import { fold } from './decider';
import { shift, ShiftEvent } from './shift';
import { deciderSpec } from './testing/decider-spec';

describe('shift', () => {
  const spec = deciderSpec(shift);
  const published: ShiftEvent = {
    type: 'ShiftPublished',
    data: {
      shiftId: 's-1',
      clientId: 'cl-1',
      staffMember: { id: 'w-7', name: 'Kenji Sato' },
      start: '2026-03-02T08:00:00+09:00',
      end: '2026-03-02T17:00:00+09:00',
      location: 'Warehouse 3',
      role: 'Forklift driver',
      projectId: null,
    },
  };
  const publish = {
    type: 'PublishShift' as const,
    shiftId: 's-1',
    clientId: 'cl-1',
    staffMember: { id: ' w-7 ', name: ' Kenji Sato ' },
    start: '2026-03-02T08:00:00+09:00',
    end: '2026-03-02T17:00:00+09:00',
    location: ' Warehouse 3 ',
    role: 'Forklift driver',
  };

  it('publishes a shift to a client company, trimming the texts', () => spec.given([]).when(publish).then([published]));

  it('publishes with a project and without location, role or staff id', () =>
    spec
      .given([])
      .when({ ...publish, staffMember: { name: 'Ana' }, location: '', role: undefined, projectId: 'p-1', project: { projectId: 'p-1', exists: true, archived: false, clientIds: ['cl-1'], primaryClientId: null } })
      .then([{ type: 'ShiftPublished', data: { ...published.data, staffMember: { id: null, name: 'Ana' }, location: null, role: null, projectId: 'p-1' } }]));

  it('refuses times without an offset, impossible dates, an end not after the start, and more than 24 hours', () => {
    spec.given([]).when({ ...publish, start: '2026-03-02T08:00:00' }).thenThrows('invalid-date-time', { field: 'start' });
    spec.given([]).when({ ...publish, end: '2026-02-30T17:00:00+09:00' }).thenThrows('invalid-date-time', { field: 'end' });
    spec.given([]).when({ ...publish, end: '2026-03-02T25:00:00+09:00' }).thenThrows('invalid-date-time', { field: 'end' });
    spec.given([]).when({ ...publish, end: '2026-03-02T08:00:00+09:00' }).thenThrows('shift-end-before-start');
    // 08:00 in Tokyo is 23:00 UTC the day before: 22:30Z is before the start.
    spec.given([]).when({ ...publish, end: '2026-03-01T22:30:00Z' }).thenThrows('shift-end-before-start');
    spec.given([]).when({ ...publish, end: '2026-03-03T08:00:01+09:00' }).thenThrows('shift-too-long');
  });

  it('refuses a staff member without a name, and publishing twice', () => {
    spec.given([]).when({ ...publish, staffMember: { name: '  ' } }).thenThrows('staff-member-name-required');
    spec.given([published]).when(publish).thenThrows('shift-exists');
  });

  it('updates only what changed, checking the times as they will be', () => {
    spec
      .given([published])
      .when({ type: 'UpdateShift', changes: { end: '2026-03-02T18:00:00+09:00', location: 'Warehouse 3', role: null } })
      .then([
        {
          type: 'ShiftUpdated',
          data: {
            shiftId: 's-1',
            clientId: 'cl-1',
            changes: { end: '2026-03-02T18:00:00+09:00', role: null },
            shift: { staffMember: { id: 'w-7', name: 'Kenji Sato' }, start: '2026-03-02T08:00:00+09:00', end: '2026-03-02T18:00:00+09:00', location: 'Warehouse 3', role: null, projectId: null },
          },
        },
      ]);
    spec.given([published]).when({ type: 'UpdateShift', changes: { location: 'Warehouse 3' } }).then([]);
    spec.given([published]).when({ type: 'UpdateShift', changes: { start: '2026-03-02T18:00:00+09:00' } }).thenThrows('shift-end-before-start');
    spec.given([]).when({ type: 'UpdateShift', changes: { location: 'x' } }).thenThrows('shift-not-found');
  });

  it('cancels once; a cancelled shift takes no more changes, cancelling again changes nothing', () => {
    const cancelled: ShiftEvent = { type: 'ShiftCancelled', data: { shiftId: 's-1', clientId: 'cl-1', reason: 'client closed' } };
    spec.given([published]).when({ type: 'CancelShift', reason: ' client closed ' }).then([cancelled]);
    spec.given([published, cancelled]).when({ type: 'CancelShift' }).then([]);
    spec.given([published, cancelled]).when({ type: 'UpdateShift', changes: { location: 'x' } }).thenThrows('shift-cancelled');
    spec.given([]).when({ type: 'CancelShift' }).thenThrows('shift-not-found');
  });

  describe('MoveDocumentToClient (an administrative re-filing, allowed in every status)', () => {
    const move = { type: 'MoveDocumentToClient' as const, toClientId: 'cl-2', reason: 'contact-dissociated' as const };
    const moved: ShiftEvent = {
      type: 'DocumentMovedToClient',
      data: { documentId: 's-1', kind: 'shift', fromClientId: 'cl-1', toClientId: 'cl-2', contactId: null, reason: 'contact-dissociated' },
    };
    const cancelled: ShiftEvent = { type: 'ShiftCancelled', data: { shiftId: 's-1', clientId: 'cl-1', reason: null } };

    it('given a published shift, when moved to another company, then it is moved; its later events name the new company', () => {
      spec.given([published]).when(move).then([moved]);
      spec
        .given([published, moved])
        .when({ type: 'CancelShift' })
        .then([{ type: 'ShiftCancelled', data: { shiftId: 's-1', clientId: 'cl-2', reason: null } }]);
      expect(fold(shift, [published, moved]).clientId).toBe('cl-2');
    });

    it('given a cancelled shift (final), when moved, then it is moved all the same', () => spec.given([published, cancelled]).when(move).then([moved]));

    it('given a shift already with that company, when moved there, then nothing is written', () => {
      spec.given([published]).when({ ...move, toClientId: 'cl-1' }).then([]);
      spec.given([published, moved]).when(move).then([]);
    });

    it('given no shift, when moved, then not found; without a company or with an unknown reason, refused', () => {
      spec.given([]).when(move).thenThrows('shift-not-found');
      spec.given([published]).when({ ...move, toClientId: ' ' }).thenThrows('client-required');
      spec.given([published]).when({ ...move, reason: 'tidy-up' as never }).thenThrows('invalid-move-reason');
    });
  });
});
