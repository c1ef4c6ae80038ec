import { Decider, OfType } from './decider';
import { decideDocumentMove, DocumentMovedToClientEvent, documentStream, MoveDocumentToClientCommand } from './documents';
import { DomainError } from './errors';
import { checkDocumentProject, DocumentProject } from './project';
import { StaffMember, staffMemberOf } from './shift';
import { nextLocalDate, parseLocalDate, parseLocalTime, zonedTimeToInstant } from './zoned-time';

/**
 * A timesheet: the hours a (temporary) staff member worked for a client company, entered by a
 * client contact on the staff member's behalf in the portal, or submitted by staff; the client
 * approves or rejects it. Stream: `timesheet-<id>`.
 *
 *   (none) --submit--> submitted --approve--> approved (final)
 *                      submitted --reject--> rejected --resubmit (corrected entries)--> submitted
 *
 * In any status, approved included, a timesheet may be moved to another client company
 * (MoveDocumentToClient): an administrative re-filing that leaves its content as it is.
 *
 * Entries are wall-clock dates and times in the organization's time zone; the hours are
 * computed from the instants they name, so a day on which the clocks change counts the hours
 * really worked (01:00-04:00 on the night clocks go forward is 2 hours). An entry ends after
 * it starts on the same date: work past midnight is two entries, the first ending at 24:00.
 */
export const timesheetStream = (timesheetId: string) => documentStream('timesheet', timesheetId);

export const TIMESHEET_MAX_ENTRIES = 100;
export const TIMESHEET_NOTE_MAX_LENGTH = 1000;
export const MINUTES_PER_DAY = 24 * 60;

export type TimesheetStatus = 'submitted' | 'approved' | 'rejected';

export interface TimesheetEntryInput {
  /** `YYYY-MM-DD`, in the organization's time zone. */
  date: string;
  /** `HH:MM` (00:00-23:59). */
  start: string;
  /** `HH:MM`, after the start; `24:00` is the end of the day. */
  end: string;
  breakMinutes?: number;
  note?: string | null;
}

export interface TimesheetEntry {
  date: string;
  start: string;
  end: string;
  breakMinutes: number;
  note: string | null;
  /** Worked minutes: end - start - break, measured between the instants. */
  minutes: number;
  /** The instants the wall-clock times name (UTC, ISO-8601). */
  startsAt: string;
  endsAt: string;
}

export interface ComputedTimesheet {
  entries: TimesheetEntry[];
  totalMinutes: number;
  /** Worked minutes per date, dates ascending. */
  days: { date: string; minutes: number }[];
}

interface TimesheetContent {
  staffMember: StaffMember;
  timeZone: string;
  entries: TimesheetEntry[];
  totalMinutes: number;
  note: string | null;
}

export type TimesheetEvent =
  | {
      type: 'TimesheetSubmitted';
      data: { timesheetId: string; clientId: string; contactId: string | null; projectId: string | null } & TimesheetContent;
    }
  | { type: 'TimesheetApproved'; data: { timesheetId: string; clientId: string; contactId: string | null } }
  | { type: 'TimesheetRejected'; data: { timesheetId: string; clientId: string; contactId: string | null; reason: string } }
  /** `version`: 2 for the first resubmission, and so on. */
  | { type: 'TimesheetResubmitted'; data: { timesheetId: string; clientId: string; contactId: string | null; version: number } & TimesheetContent }
  | DocumentMovedToClientEvent;

export type TimesheetCommand =
  | {
      type: 'SubmitTimesheet';
      timesheetId: string;
      /** The caller has checked that the company exists in the organization and is active. */
      clientId: string;
      /** The contact who created it in the portal; null when staff submit it for the whole company. */
      contactId: string | null;
      projectId?: string | null;
      /** The project `projectId` names, as its stream tells it now. */
      project?: DocumentProject | null;
      staffMember: { id?: string | null; name: string };
      entries: TimesheetEntryInput[];
      /** The organization's time zone: what the entries' dates and times mean. */
      timeZone: string;
      note?: string | null;
    }
  | { type: 'ApproveTimesheet' }
  | { type: 'RejectTimesheet'; reason: string }
  /** A rejected timesheet, corrected: new entries (and optionally staff member and note). */
  | {
      type: 'ResubmitTimesheet';
      entries: TimesheetEntryInput[];
      timeZone: string;
      staffMember?: { id?: string | null; name: string };
      note?: string | null;
    }
  | MoveDocumentToClientCommand;

export interface TimesheetState {
  exists: boolean;
  timesheetId: string | null;
  clientId: string | null;
  contactId: string | null;
  projectId: string | null;
  status: TimesheetStatus;
  staffMember: StaffMember;
  timeZone: string;
  entries: TimesheetEntry[];
  totalMinutes: number;
  note: string | null;
  rejectionReason: string | null;
  /** 1 for the first submission, +1 per resubmission. */
  version: number;
}

export const timesheet: Decider<TimesheetState, TimesheetCommand, TimesheetEvent> = {
  initialState: () => ({
    exists: false,
    timesheetId: null,
    clientId: null,
    contactId: null,
    projectId: null,
    status: 'submitted',
    staffMember: { id: null, name: '' },
    timeZone: 'UTC',
    entries: [],
    totalMinutes: 0,
    note: null,
    rejectionReason: null,
    version: 0,
  }),

  decide(command, state) {
    switch (command.type) {
      case 'SubmitTimesheet': return submitTimesheet(command, state);
      case 'ApproveTimesheet': return approveTimesheet(command, state);
      case 'RejectTimesheet': return rejectTimesheet(command, state);
      case 'ResubmitTimesheet': return resubmitTimesheet(command, state);
      case 'MoveDocumentToClient': return moveTimesheetToClient(command, state);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'TimesheetSubmitted': {
        const { timesheetId, clientId, contactId, projectId, staffMember, timeZone, entries, totalMinutes, note } = event.data;
        return {
          ...state,
          exists: true,
          timesheetId,
          clientId,
          contactId,
          projectId,
          status: 'submitted',
          staffMember,
          timeZone,
          entries,
          totalMinutes,
          note,
          rejectionReason: null,
          version: 1,
        };
      }
      case 'TimesheetApproved':
        return { ...state, status: 'approved' };
      case 'TimesheetRejected':
        return { ...state, status: 'rejected', rejectionReason: event.data.reason };
      case 'TimesheetResubmitted': {
        const { staffMember, timeZone, entries, totalMinutes, note, version } = event.data;
        return { ...state, status: 'submitted', staffMember, timeZone, entries, totalMinutes, note, rejectionReason: null, version };
      }
      case 'DocumentMovedToClient':
        return { ...state, clientId: event.data.toClientId };
      default:
        return state;
    }
  },
};

type Command<Type extends TimesheetCommand['type']> = OfType<TimesheetCommand, Type>;

/** SubmitTimesheet -> TimesheetSubmitted */
function submitTimesheet(command: Command<'SubmitTimesheet'>, state: TimesheetState): TimesheetEvent[] {
  if (state.exists) throw new DomainError('conflict', 'timesheet-exists', 'This timesheet already exists.');
  const staffMember = staffMemberOf(command.staffMember);
  const { entries, totalMinutes } = computeTimesheet(command.entries, command.timeZone);
  return [
    {
      type: 'TimesheetSubmitted',
      data: {
        timesheetId: command.timesheetId,
        clientId: command.clientId,
        contactId: command.contactId,
        projectId: checkDocumentProject(command.projectId, command.project, command.clientId),
        staffMember,
        timeZone: command.timeZone,
        entries,
        totalMinutes,
        note: optionalNote(command.note),
      },
    },
  ];
}

/** ApproveTimesheet -> TimesheetApproved */
function approveTimesheet(_command: Command<'ApproveTimesheet'>, state: TimesheetState): TimesheetEvent[] {
  requireDecidable(state);
  return [{ type: 'TimesheetApproved', data: ids(state) }];
}

/** RejectTimesheet -> TimesheetRejected (with a reason) */
function rejectTimesheet(command: Command<'RejectTimesheet'>, state: TimesheetState): TimesheetEvent[] {
  requireDecidable(state);
  const reason = command.reason?.trim();
  if (!reason) throw new DomainError('unprocessable', 'reason-required', 'Say why the timesheet is rejected.', { field: 'reason' });
  return [{ type: 'TimesheetRejected', data: { ...ids(state), reason } }];
}

/** ResubmitTimesheet -> TimesheetResubmitted (a rejected timesheet, corrected) */
function resubmitTimesheet(command: Command<'ResubmitTimesheet'>, state: TimesheetState): TimesheetEvent[] {
  requireExisting(state);
  if (state.status === 'approved') throw final();
  if (state.status !== 'rejected') {
    throw new DomainError('conflict', 'timesheet-not-rejected', 'Only a rejected timesheet is corrected and resubmitted; this one awaits a decision.');
  }
  const staffMember = command.staffMember ? staffMemberOf(command.staffMember) : state.staffMember;
  const { entries, totalMinutes } = computeTimesheet(command.entries, command.timeZone);
  return [
    {
      type: 'TimesheetResubmitted',
      data: {
        ...ids(state),
        version: state.version + 1,
        staffMember,
        timeZone: command.timeZone,
        entries,
        totalMinutes,
        note: command.note === undefined ? state.note : optionalNote(command.note),
      },
    },
  ];
}

/** MoveDocumentToClient -> DocumentMovedToClient */
function moveTimesheetToClient(command: Command<'MoveDocumentToClient'>, state: TimesheetState): TimesheetEvent[] {
  return decideDocumentMove('timesheet', state.exists ? { documentId: state.timesheetId!, clientId: state.clientId!, contactId: state.contactId } : null, command, notFound);
}

function ids(state: TimesheetState) {
  return { timesheetId: state.timesheetId!, clientId: state.clientId!, contactId: state.contactId };
}

function notFound(): DomainError {
  return new DomainError('not-found', 'timesheet-not-found', 'No such timesheet.');
}

function requireExisting(state: TimesheetState): void {
  if (!state.exists) throw notFound();
}

function final(): DomainError {
  return new DomainError('conflict', 'timesheet-final', 'This timesheet is approved: it is final and can no longer change.');
}

/** Approve or reject: only a submitted timesheet awaits a decision. */
function requireDecidable(state: TimesheetState): void {
  requireExisting(state);
  if (state.status === 'approved') throw final();
  if (state.status === 'rejected') {
    throw new DomainError('conflict', 'timesheet-rejected', 'This timesheet is rejected; it awaits a corrected resubmission.');
  }
}

function optionalNote(note: string | null | undefined): string | null {
  const trimmed = note?.trim();
  if (trimmed && trimmed.length > TIMESHEET_NOTE_MAX_LENGTH) {
    throw new DomainError('unprocessable', 'note-too-long', `A note has at most ${TIMESHEET_NOTE_MAX_LENGTH} characters.`, { field: 'note' });
  }
  return trimmed ? trimmed : null;
}

function entryError(code: string, index: number, field: string, message: string, extra: Record<string, unknown> = {}): DomainError {
  const path = `entries[${index}].${field}`;
  return new DomainError('unprocessable', code, `${path}: ${message}`, { field: path, errors: [{ field: path, message }], ...extra });
}

/**
 * The rules of a timesheet's entries, and its hours. Each entry: a real date, start and end
 * as HH:MM with the end after the start on the same date (24:00 ends the day), a whole,
 * non-negative break shorter than the entry, times that exist in the time zone (not skipped
 * by a clock change). Together: no two entries overlap, no date has more than 24 hours.
 * Throws the first broken rule as a DomainError (422) naming the entry.
 */
export function computeTimesheet(inputs: TimesheetEntryInput[], timeZone: string): ComputedTimesheet {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new DomainError('unprocessable', 'entries-required', 'A timesheet has at least one entry.', { field: 'entries' });
  }
  if (inputs.length > TIMESHEET_MAX_ENTRIES) {
    throw new DomainError('unprocessable', 'too-many-entries', `A timesheet has at most ${TIMESHEET_MAX_ENTRIES} entries.`, { field: 'entries' });
  }
  const entries = inputs.map((input, index): TimesheetEntry & { from: number; to: number } => {
    if (!parseLocalDate(input.date)) throw entryError('invalid-entry-date', index, 'date', 'must be a calendar date YYYY-MM-DD');
    const start = parseLocalTime(input.start);
    if (start === null) throw entryError('invalid-entry-time', index, 'start', 'must be a time HH:MM from 00:00 to 23:59');
    const end = parseLocalTime(input.end, true);
    if (end === null) throw entryError('invalid-entry-time', index, 'end', 'must be a time HH:MM from 00:01 to 24:00');
    if (end <= start) {
      throw entryError('entry-ends-before-start', index, 'end', 'must be after the start on the same date; split work past midnight into two entries, the first ending at 24:00');
    }
    const breakMinutes = input.breakMinutes ?? 0;
    if (!Number.isInteger(breakMinutes) || breakMinutes < 0) throw entryError('invalid-break', index, 'breakMinutes', 'must be a whole number of minutes, 0 or more');
    const from = zonedTimeToInstant(input.date, start, timeZone);
    if (from === null) throw entryError('nonexistent-local-time', index, 'start', `does not exist on ${input.date} in ${timeZone} (the clocks skip it)`);
    const to = end === MINUTES_PER_DAY ? zonedTimeToInstant(nextLocalDate(input.date), 0, timeZone) : zonedTimeToInstant(input.date, end, timeZone);
    if (to === null) throw entryError('nonexistent-local-time', index, 'end', `does not exist on ${input.date} in ${timeZone} (the clocks skip it)`);
    // Wall-clock end after start can still be no later instant across a clock going back.
    if (to <= from) throw entryError('entry-ends-before-start', index, 'end', 'must be after the start');
    const span = Math.round((to - from) / 60_000);
    if (breakMinutes >= span) throw entryError('negative-hours', index, 'breakMinutes', `must be shorter than the entry (${span} minutes)`);
    const note = input.note?.trim() ? input.note.trim() : null;
    if (note && note.length > TIMESHEET_NOTE_MAX_LENGTH) throw entryError('note-too-long', index, 'note', `has at most ${TIMESHEET_NOTE_MAX_LENGTH} characters`);
    return {
      date: input.date,
      start: input.start,
      end: input.end,
      breakMinutes,
      note,
      minutes: span - breakMinutes,
      startsAt: new Date(from).toISOString(),
      endsAt: new Date(to).toISOString(),
      from,
      to,
    };
  });

  // Overlaps: ordered by start, each entry must start at or after the latest end so far.
  const order = entries.map((_, index) => index).sort((a, b) => entries[a].from - entries[b].from || a - b);
  let latest = order[0];
  for (const index of order.slice(1)) {
    if (entries[index].from < entries[latest].to) {
      const [first, second] = [Math.min(latest, index), Math.max(latest, index)];
      throw entryError('overlapping-entries', second, 'start', `overlaps entries[${first}] (${entries[first].date} ${entries[first].start}-${entries[first].end})`, {
        entries: [first, second],
      });
    }
    if (entries[index].to > entries[latest].to) latest = index;
  }

  const perDay = new Map<string, number>();
  for (const entry of entries) perDay.set(entry.date, (perDay.get(entry.date) ?? 0) + entry.minutes);
  const days = [...perDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, minutes]) => ({ date, minutes }));
  for (const day of days) {
    if (day.minutes > MINUTES_PER_DAY) {
      const index = entries.findIndex((e) => e.date === day.date);
      throw entryError('day-over-24-hours', index, 'date', `${day.date} adds up to ${formatMinutes(day.minutes)} hours; a day has at most 24`, { date: day.date });
    }
  }
  return {
    entries: entries.map(({ from: _from, to: _to, ...entry }) => entry),
    totalMinutes: entries.reduce((sum, e) => sum + e.minutes, 0),
    days,
  };
}

/** 450 -> "7:30". */
export function formatMinutes(minutes: number): string {
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}
