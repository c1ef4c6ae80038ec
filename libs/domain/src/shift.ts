import { Decider } from './decider';
import { decideDocumentMove, DocumentMovedToClientEvent, documentStream, MoveDocumentToClientCommand } from './documents';
import { DomainError } from './errors';
import { checkDocumentProject, DocumentProject } from './project';
import { parseOffsetDateTime } from './zoned-time';

/**
 * A shift published to a client company: who works (a staff member of the organization),
 * when, where and as what. Read-only to the client. Stream: `shift-<id>`.
 *
 *   (none) --publish--> published --update--> published --cancel--> cancelled (final)
 *
 * In any status, a shift may be moved to another client company (MoveDocumentToClient).
 */
export const shiftStream = (shiftId: string) => documentStream('shift', shiftId);

export const SHIFT_MAX_HOURS = 24;
export const SHIFT_TEXT_MAX_LENGTH = 200;

export type ShiftStatus = 'published' | 'cancelled';

/** The organization's worker: a name, and its id in the organization's own systems if any. */
export interface StaffMember {
  id: string | null;
  name: string;
}

/** A staff member as given: the id may be left out. */
export type StaffMemberInput = { id?: string | null; name: string };

export interface ShiftDetails {
  staffMember: StaffMember;
  /** ISO-8601 with an offset, as given (the client sees the offset the organization chose). */
  start: string;
  end: string;
  location: string | null;
  role: string | null;
  projectId: string | null;
}

export type ShiftEvent =
  | { type: 'ShiftPublished'; data: { shiftId: string; clientId: string } & ShiftDetails }
  /** `changes`: what changed; `shift`: the shift as it now stands (what read models show). */
  | { type: 'ShiftUpdated'; data: { shiftId: string; clientId: string; changes: Partial<ShiftDetails>; shift: ShiftDetails } }
  | { type: 'ShiftCancelled'; data: { shiftId: string; clientId: string; reason: string | null } }
  | DocumentMovedToClientEvent;

export type ShiftCommand =
  /** The caller has checked that the client company exists in the organization and is active. */
  | {
      type: 'PublishShift';
      shiftId: string;
      clientId: string;
      staffMember: StaffMemberInput;
      start: string;
      end: string;
      location?: string | null;
      role?: string | null;
      projectId?: string | null;
      /** The project `projectId` names, as its stream tells it now. */
      project?: DocumentProject | null;
    }
  | {
      type: 'UpdateShift';
      changes: Partial<Omit<ShiftDetails, 'staffMember'>> & { staffMember?: StaffMemberInput };
      /** The project `changes.projectId` names, as its stream tells it now. */
      project?: DocumentProject | null;
    }
  | { type: 'CancelShift'; reason?: string | null }
  | MoveDocumentToClientCommand;

export interface ShiftState extends ShiftDetails {
  exists: boolean;
  shiftId: string | null;
  clientId: string | null;
  status: ShiftStatus;
}

export const shift: Decider<ShiftState, ShiftCommand, ShiftEvent> = {
  initialState: () => ({
    exists: false,
    shiftId: null,
    clientId: null,
    status: 'published',
    staffMember: { id: null, name: '' },
    start: '',
    end: '',
    location: null,
    role: null,
    projectId: null,
  }),

  decide(command, state) {
    switch (command.type) {
      case 'PublishShift': {
        if (state.exists) throw new DomainError('conflict', 'shift-exists', 'This shift already exists.');
        const details: ShiftDetails = {
          staffMember: staffMemberOf(command.staffMember),
          start: command.start.trim(),
          end: command.end.trim(),
          location: optionalText(command.location),
          role: optionalText(command.role),
          projectId: checkDocumentProject(command.projectId, command.project, command.clientId),
        };
        checkTimes(details.start, details.end);
        return [{ type: 'ShiftPublished', data: { shiftId: command.shiftId, clientId: command.clientId, ...details } }];
      }
      case 'UpdateShift': {
        requireOpen(state);
        const changes: Partial<ShiftDetails> = {};
        const given = command.changes;
        if (given.staffMember !== undefined) {
          const staffMember = staffMemberOf(given.staffMember);
          if (staffMember.name !== state.staffMember.name || staffMember.id !== state.staffMember.id) changes.staffMember = staffMember;
        }
        if (given.start !== undefined && given.start.trim() !== state.start) changes.start = given.start.trim();
        if (given.end !== undefined && given.end.trim() !== state.end) changes.end = given.end.trim();
        if (given.location !== undefined && optionalText(given.location) !== state.location) changes.location = optionalText(given.location);
        if (given.role !== undefined && optionalText(given.role) !== state.role) changes.role = optionalText(given.role);
        if (given.projectId !== undefined && (given.projectId ?? null) !== state.projectId) {
          changes.projectId = checkDocumentProject(given.projectId, command.project, state.clientId!);
        }
        if (changes.start !== undefined || changes.end !== undefined) checkTimes(changes.start ?? state.start, changes.end ?? state.end);
        if (Object.keys(changes).length === 0) return [];
        const { staffMember, start, end, location, role, projectId } = { ...state, ...changes };
        return [{ type: 'ShiftUpdated', data: { shiftId: state.shiftId!, clientId: state.clientId!, changes, shift: { staffMember, start, end, location, role, projectId } } }];
      }
      case 'CancelShift': {
        if (!state.exists) throw notFound();
        // Cancelling again changes nothing (a retried request is not an error).
        if (state.status === 'cancelled') return [];
        return [{ type: 'ShiftCancelled', data: { shiftId: state.shiftId!, clientId: state.clientId!, reason: optionalText(command.reason) } }];
      }
      case 'MoveDocumentToClient':
        return decideDocumentMove('shift', state.exists ? { documentId: state.shiftId!, clientId: state.clientId!, contactId: null } : null, command, notFound);
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ShiftPublished': {
        const { shiftId, clientId, ...details } = event.data;
        return { ...state, ...details, exists: true, shiftId, clientId, status: 'published' };
      }
      case 'ShiftUpdated':
        return { ...state, ...event.data.shift };
      case 'ShiftCancelled':
        return { ...state, status: 'cancelled' };
      case 'DocumentMovedToClient':
        return { ...state, clientId: event.data.toClientId };
      default:
        return state;
    }
  },
};

function notFound(): DomainError {
  return new DomainError('not-found', 'shift-not-found', 'No such shift.');
}

function requireOpen(state: ShiftState): void {
  if (!state.exists) throw notFound();
  if (state.status === 'cancelled') throw new DomainError('conflict', 'shift-cancelled', 'This shift is cancelled and can no longer change.');
}

/** A staff member needs a name; the id is optional. */
export function staffMemberOf(input: StaffMemberInput): StaffMember {
  const name = input.name?.trim();
  if (!name) throw new DomainError('unprocessable', 'staff-member-name-required', 'The staff member needs a name.', { field: 'staffMember.name' });
  const id = input.id?.trim();
  return { id: id ? id : null, name };
}

function optionalText(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** Start and end are ISO-8601 instants with an offset; the end is after the start, at most 24 h later. */
function checkTimes(start: string, end: string): void {
  const startsAt = parseOffsetDateTime(start);
  if (startsAt === null) throw invalidTime('start');
  const endsAt = parseOffsetDateTime(end);
  if (endsAt === null) throw invalidTime('end');
  if (endsAt <= startsAt) throw new DomainError('unprocessable', 'shift-end-before-start', 'A shift ends after it starts.', { field: 'end' });
  if (endsAt - startsAt > SHIFT_MAX_HOURS * 3_600_000) {
    throw new DomainError('unprocessable', 'shift-too-long', `A shift lasts at most ${SHIFT_MAX_HOURS} hours.`, { field: 'end' });
  }
}

function invalidTime(field: 'start' | 'end'): DomainError {
  return new DomainError('unprocessable', 'invalid-date-time', `${field} must be an ISO-8601 date and time with an offset, e.g. 2026-03-02T08:00:00+09:00.`, {
    field,
  });
}
