import { DomainError } from './errors';
import { computeTimesheet, timesheet, TimesheetEntryInput, TimesheetEvent } from './timesheet';
import { deciderSpec } from './testing/decider-spec';
import { parseOffsetDateTime, zonedTimeToInstant } from './zoned-time';

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('wall-clock times in a time zone', () => {
  it('turns a date and time into the instant, DST-correct', () => {
    const at = (date: string, hhmm: string, zone: string) => {
      const [h, m] = hhmm.split(':').map(Number);
      const instant = zonedTimeToInstant(date, h * 60 + m, zone);
      return instant === null ? null : new Date(instant).toISOString();
    };
    expect(at('2026-03-02', '08:00', 'Asia/Tokyo')).toBe('2026-03-01T23:00:00.000Z');
    expect(at('2026-07-01', '08:00', 'Europe/Berlin')).toBe('2026-07-01T06:00:00.000Z');
    expect(at('2026-01-15', '08:00', 'Europe/Berlin')).toBe('2026-01-15T07:00:00.000Z');
    expect(at('2026-03-08', '12:00', 'America/New_York')).toBe('2026-03-08T16:00:00.000Z');
    // Clocks go forward in Berlin on 2026-03-29 at 02:00: 02:30 never happens.
    expect(at('2026-03-29', '02:30', 'Europe/Berlin')).toBeNull();
    expect(at('2026-03-29', '03:00', 'Europe/Berlin')).toBe('2026-03-29T01:00:00.000Z');
    // Clocks go back on 2026-10-25 at 03:00: 02:30 happens twice, the earlier is taken.
    expect(at('2026-10-25', '02:30', 'Europe/Berlin')).toBe('2026-10-25T00:30:00.000Z');
    // A zone east of UTC by more than 12 hours, and one with a half-hour offset.
    expect(at('2026-06-01', '00:00', 'Pacific/Kiritimati')).toBe('2026-05-31T10:00:00.000Z');
    expect(at('2026-06-01', '09:00', 'Asia/Kolkata')).toBe('2026-06-01T03:30:00.000Z');
  });

  it('reads ISO-8601 date-times only with an offset and on real days', () => {
    expect(parseOffsetDateTime('2026-03-02T08:00:00+09:00')).toBe(Date.UTC(2026, 2, 1, 23));
    expect(parseOffsetDateTime('2026-03-02T08:00Z')).toBe(Date.UTC(2026, 2, 2, 8));
    for (const bad of ['2026-03-02T08:00:00', '2026-02-29T08:00:00Z', '2026-03-02 08:00Z', '2026-03-02T24:00:00Z', 'tomorrow']) {
      expect(parseOffsetDateTime(bad)).toBeNull();
    }
  });
});

describe('timesheet entries: hours and rules', () => {
  const entry = (date: string, start: string, end: string, breakMinutes = 0): TimesheetEntryInput => ({ date, start, end, breakMinutes });

  it('computes each entry as end - start - break, totals per day and overall', () => {
    const computed = computeTimesheet(
      [entry('2026-03-02', '08:00', '17:00', 60), entry('2026-03-03', '22:00', '24:00'), entry('2026-03-04', '00:00', '06:00', 30), entry('2026-03-02', '18:00', '19:30')],
      'Asia/Tokyo',
    );
    expect(computed.entries.map((e) => e.minutes)).toEqual([480, 120, 330, 90]);
    expect(computed.entries[0]).toMatchObject({ startsAt: '2026-03-01T23:00:00.000Z', endsAt: '2026-03-02T08:00:00.000Z', note: null });
    expect(computed.entries[1].endsAt).toBe('2026-03-03T15:00:00.000Z'); // 24:00 is the next midnight
    expect(computed.days).toEqual([
      { date: '2026-03-02', minutes: 570 },
      { date: '2026-03-03', minutes: 120 },
      { date: '2026-03-04', minutes: 330 },
    ]);
    expect(computed.totalMinutes).toBe(1020);
  });

  it('counts the hours really worked on the days the clocks change', () => {
    // Forward: 01:00-04:00 is 2 hours; back: 01:00-04:00 is 4 hours.
    expect(computeTimesheet([entry('2026-03-29', '01:00', '04:00')], 'Europe/Berlin').totalMinutes).toBe(120);
    expect(computeTimesheet([entry('2026-10-25', '01:00', '04:00')], 'Europe/Berlin').totalMinutes).toBe(240);
    expect(computeTimesheet([entry('2026-10-25', '01:00', '04:00')], 'UTC').totalMinutes).toBe(180);
  });

  it('refuses an end not after the start (no overnight entries: split them at 24:00)', () => {
    expect(refusal(() => computeTimesheet([entry('2026-03-02', '22:00', '06:00')], 'UTC'))).toMatchObject({
      kind: 'unprocessable',
      code: 'entry-ends-before-start',
      details: { field: 'entries[0].end' },
    });
    expect(refusal(() => computeTimesheet([entry('2026-03-02', '08:00', '08:00')], 'UTC')).code).toBe('entry-ends-before-start');
  });

  it('refuses malformed dates, times and breaks', () => {
    const code = (input: TimesheetEntryInput) => refusal(() => computeTimesheet([input], 'UTC')).code;
    expect(code(entry('2026-02-30', '08:00', '09:00'))).toBe('invalid-entry-date');
    expect(code(entry('02/03/2026', '08:00', '09:00'))).toBe('invalid-entry-date');
    expect(code(entry('2026-03-02', '8:00', '09:00'))).toBe('invalid-entry-time');
    expect(code(entry('2026-03-02', '24:00', '24:00'))).toBe('invalid-entry-time');
    expect(code(entry('2026-03-02', '08:00', '24:30'))).toBe('invalid-entry-time');
    expect(code(entry('2026-03-02', '08:00', '09:00', -5))).toBe('invalid-break');
    expect(code(entry('2026-03-02', '08:00', '09:00', 1.5))).toBe('invalid-break');
    expect(refusal(() => computeTimesheet([], 'UTC')).code).toBe('entries-required');
  });

  it('refuses a negative entry: a break as long as the entry or longer', () => {
    expect(refusal(() => computeTimesheet([entry('2026-03-02', '08:00', '09:00', 60)], 'UTC')).code).toBe('negative-hours');
    expect(computeTimesheet([entry('2026-03-02', '08:00', '09:00', 59)], 'UTC').totalMinutes).toBe(1);
  });

  it('refuses a time the clocks skip', () => {
    expect(refusal(() => computeTimesheet([entry('2026-03-29', '02:15', '06:00')], 'Europe/Berlin'))).toMatchObject({
      code: 'nonexistent-local-time',
      details: { field: 'entries[0].start' },
    });
  });

  it('refuses overlapping entries on the same date, and lets entries touch', () => {
    expect(
      refusal(() => computeTimesheet([entry('2026-03-02', '08:00', '12:00'), entry('2026-03-03', '08:00', '12:00'), entry('2026-03-02', '11:30', '15:00')], 'UTC')),
    ).toMatchObject({ code: 'overlapping-entries', details: { entries: [0, 2], field: 'entries[2].start' } });
    expect(refusal(() => computeTimesheet([entry('2026-03-02', '08:00', '18:00'), entry('2026-03-02', '09:00', '10:00')], 'UTC')).code).toBe(
      'overlapping-entries',
    );
    expect(computeTimesheet([entry('2026-03-02', '08:00', '12:00'), entry('2026-03-02', '12:00', '16:00')], 'UTC').totalMinutes).toBe(480);
    expect(computeTimesheet([entry('2026-03-02', '20:00', '24:00'), entry('2026-03-03', '00:00', '04:00')], 'UTC').totalMinutes).toBe(480);
  });

  it('refuses a day over 24 hours (the 25-hour day the clocks go back)', () => {
    expect(computeTimesheet([entry('2026-03-02', '00:00', '24:00')], 'Europe/Berlin').totalMinutes).toBe(1440);
    expect(refusal(() => computeTimesheet([entry('2026-10-25', '00:00', '24:00')], 'Europe/Berlin'))).toMatchObject({
      code: 'day-over-24-hours',
      details: { date: '2026-10-25' },
    });
    expect(computeTimesheet([entry('2026-10-25', '00:00', '24:00', 60)], 'Europe/Berlin').totalMinutes).toBe(1440);
  });
});

describe('timesheet', () => {
  const spec = deciderSpec(timesheet);
  const entries = [{ date: '2026-03-02', start: '08:00', end: '17:00', breakMinutes: 60, note: ' loading ' }];
  const computed = [
    { date: '2026-03-02', start: '08:00', end: '17:00', breakMinutes: 60, note: 'loading', minutes: 480, startsAt: '2026-03-01T23:00:00.000Z', endsAt: '2026-03-02T08:00:00.000Z' },
  ];
  const submit = {
    type: 'SubmitTimesheet' as const,
    timesheetId: 't-1',
    clientId: 'cl-1',
    contactId: 'c-1',
    staffMember: { name: 'Kenji Sato' },
    entries,
    timeZone: 'Asia/Tokyo',
  };
  const submitted: TimesheetEvent = {
    type: 'TimesheetSubmitted',
    data: {
      timesheetId: 't-1',
      clientId: 'cl-1',
      contactId: 'c-1',
      projectId: null,
      staffMember: { id: null, name: 'Kenji Sato' },
      timeZone: 'Asia/Tokyo',
      entries: computed,
      totalMinutes: 480,
      note: null,
    },
  };
  const ids = { timesheetId: 't-1', clientId: 'cl-1', contactId: 'c-1' };
  const approved: TimesheetEvent = { type: 'TimesheetApproved', data: ids };
  const rejected: TimesheetEvent = { type: 'TimesheetRejected', data: { ...ids, reason: 'Tuesday is missing' } };

  it('is submitted with its hours computed in the organization’s time zone', () => spec.given([]).when(submit).then([submitted]));

  it('refuses bad entries, a staff member without a name, and submitting twice', () => {
    spec.given([]).when({ ...submit, entries: [...entries, { date: '2026-03-02', start: '16:00', end: '18:00' }] }).thenThrows('overlapping-entries');
    spec.given([]).when({ ...submit, staffMember: { name: '' } }).thenThrows('staff-member-name-required');
    spec.given([submitted]).when(submit).thenThrows('timesheet-exists');
  });

  it('is approved once: an approved timesheet is final', () => {
    spec.given([submitted]).when({ type: 'ApproveTimesheet' }).then([approved]);
    spec.given([submitted, approved]).when({ type: 'ApproveTimesheet' }).thenThrows('timesheet-final');
    spec.given([submitted, approved]).when({ type: 'RejectTimesheet', reason: 'no' }).thenThrows('timesheet-final');
    spec.given([submitted, approved]).when({ type: 'ResubmitTimesheet', entries, timeZone: 'Asia/Tokyo' }).thenThrows('timesheet-final');
    spec.given([]).when({ type: 'ApproveTimesheet' }).thenThrows('timesheet-not-found');
  });

  it('is rejected with a reason, and only while it awaits a decision', () => {
    spec.given([submitted]).when({ type: 'RejectTimesheet', reason: ' Tuesday is missing ' }).then([rejected]);
    spec.given([submitted]).when({ type: 'RejectTimesheet', reason: '  ' }).thenThrows('reason-required', { field: 'reason' });
    spec.given([submitted, rejected]).when({ type: 'RejectTimesheet', reason: 'again' }).thenThrows('timesheet-rejected');
    spec.given([submitted, rejected]).when({ type: 'ApproveTimesheet' }).thenThrows('timesheet-rejected');
  });

  it('is corrected and resubmitted after a rejection, then approved', () => {
    const corrected = [...entries, { date: '2026-03-03', start: '09:00', end: '12:00' }];
    const resubmitted: TimesheetEvent = {
      type: 'TimesheetResubmitted',
      data: {
        ...ids,
        version: 2,
        staffMember: { id: null, name: 'Kenji Sato' },
        timeZone: 'Asia/Tokyo',
        entries: [
          ...computed,
          { date: '2026-03-03', start: '09:00', end: '12:00', breakMinutes: 0, note: null, minutes: 180, startsAt: '2026-03-03T00:00:00.000Z', endsAt: '2026-03-03T03:00:00.000Z' },
        ],
        totalMinutes: 660,
        note: null,
      },
    };
    spec.given([submitted, rejected]).when({ type: 'ResubmitTimesheet', entries: corrected, timeZone: 'Asia/Tokyo' }).then([resubmitted]);
    spec.given([submitted, rejected, resubmitted]).when({ type: 'ApproveTimesheet' }).then([approved]);
    spec.given([submitted]).when({ type: 'ResubmitTimesheet', entries: corrected, timeZone: 'Asia/Tokyo' }).thenThrows('timesheet-not-rejected');
    spec
      .given([submitted, rejected])
      .when({ type: 'ResubmitTimesheet', entries: [{ date: '2026-03-02', start: '08:00', end: '09:00', breakMinutes: 90 }], timeZone: 'Asia/Tokyo' })
      .thenThrows('negative-hours');
  });

  it('state: version and rejection reason follow the history', () => {
    const state = [submitted, rejected].reduce(timesheet.evolve, timesheet.initialState());
    expect(state).toMatchObject({ status: 'rejected', rejectionReason: 'Tuesday is missing', version: 1, totalMinutes: 480 });
    expect(timesheet.evolve(state, { type: 'TimesheetApproved', data: ids })).toMatchObject({ status: 'approved', version: 1 });
  });

  describe('MoveDocumentToClient (an administrative re-filing, allowed in every status)', () => {
    const move = { type: 'MoveDocumentToClient' as const, toClientId: 'cl-2', reason: 'contact-dissociated' as const };
    const moved: TimesheetEvent = {
      type: 'DocumentMovedToClient',
      data: { documentId: 't-1', kind: 'timesheet', fromClientId: 'cl-1', toClientId: 'cl-2', contactId: 'c-1', reason: 'contact-dissociated' },
    };

    it('given a submitted timesheet, when moved, then it is moved with its contact; the decisions after it name the new company', () => {
      spec.given([submitted]).when(move).then([moved]);
      spec.given([submitted, moved]).when({ type: 'ApproveTimesheet' }).then([{ type: 'TimesheetApproved', data: { ...ids, clientId: 'cl-2' } }]);
      expect([submitted, moved].reduce(timesheet.evolve, timesheet.initialState())).toMatchObject({ clientId: 'cl-2', contactId: 'c-1', status: 'submitted', version: 1 });
    });

    it('given an approved (final) or a rejected timesheet, when moved, then it is moved, its status unchanged', () => {
      spec.given([submitted, approved]).when(move).then([moved]);
      spec.given([submitted, rejected]).when(move).then([moved]);
      expect([submitted, approved, moved].reduce(timesheet.evolve, timesheet.initialState())).toMatchObject({ clientId: 'cl-2', status: 'approved' });
      // Still final after the move.
      spec.given([submitted, approved, moved]).when({ type: 'RejectTimesheet', reason: 'no' }).thenThrows('timesheet-final');
    });

    it('given a timesheet already with that company, when moved there, then nothing is written', () => {
      spec.given([submitted]).when({ ...move, toClientId: 'cl-1' }).then([]);
      spec.given([submitted, moved]).when(move).then([]);
    });

    it('given no timesheet, when moved, then not found', () => spec.given([]).when(move).thenThrows('timesheet-not-found'));
  });
});
