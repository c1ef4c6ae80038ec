import { RecordedEvent } from '@app/event-store';
import type { ShiftDetails, StaffMember, TimesheetEntry } from '@app/domain';
import { CLIENT_DOCUMENTS_COLLECTION, ClientDocumentRow } from './client-documents';
import { ProjectionWrite } from './read-store';

/** A shift's or timesheet's row: the shared row, plus why its status is what it is. */
export type ShiftTimesheetRow = ClientDocumentRow & {
  /** Why a shift was cancelled or a timesheet rejected; null otherwise. */
  statusReason: string | null;
};

export interface ShiftSummary {
  staffMember: StaffMember;
  start: string;
  end: string;
  /** The start as a UTC instant (sorts and compares across offsets). */
  startsAt: string;
  endsAt: string;
  location: string | null;
  role: string | null;
}

export interface TimesheetSummary {
  staffMember: StaffMember;
  timeZone: string;
  entries: TimesheetEntry[];
  totalMinutes: number;
  firstDate: string;
  lastDate: string;
  note: string | null;
  /** 1 for the first submission, +1 per corrected resubmission. */
  version: number;
}

/**
 * Shifts and timesheets in the shared per-client document list (`client_documents_v2`): one
 * row per document, of kind `shift` or `timesheet`. Every write is an upsert guarded by the
 * event's position, so a replayed batch changes nothing, and a rebuild from zero gives the
 * same rows.
 *
 * `pending` means "awaiting the client's decision": a submitted timesheet. Shifts are never
 * pending (read-only to the client).
 *
 * A plain handler, not a projection: the one projection of the collection,
 * `clientDocumentsProjection` (client-documents.projection.ts), delegates shift and
 * timesheet events here, so that rebuilding it rebuilds every kind's rows together.
 */
export function projectShiftOrTimesheet(event: RecordedEvent): ProjectionWrite[] {
  const data = event.data as Record<string, any>;
  const organizationId = event.metadata.organizationId;
  const at = event.metadata.occurredAt;
  const upsert = (id: string, set: Partial<ShiftTimesheetRow>): ProjectionWrite => ({
    op: 'upsert',
    collection: CLIENT_DOCUMENTS_COLLECTION,
    id,
    position: event.position,
    set: { ...set, updatedAt: at },
  });

  switch (event.type) {
    case 'ShiftPublished':
      return [
        upsert(data.shiftId, {
          organizationId,
          kind: 'shift',
          clientId: data.clientId,
          contactId: null,
          number: null,
          status: 'published',
          pending: false,
          statusReason: null,
          createdAt: at,
          ...shiftFields(data as ShiftDetails),
        }),
      ];
    case 'ShiftUpdated':
      return [upsert(data.shiftId, shiftFields(data.shift as ShiftDetails))];
    case 'ShiftCancelled':
      return [upsert(data.shiftId, { status: 'cancelled', pending: false, statusReason: data.reason ?? null })];

    case 'TimesheetSubmitted':
      return [
        upsert(data.timesheetId, {
          organizationId,
          kind: 'timesheet',
          clientId: data.clientId,
          contactId: data.contactId ?? null,
          projectId: data.projectId ?? null,
          number: null,
          status: 'submitted',
          pending: true,
          statusReason: null,
          createdAt: at,
          ...timesheetFields(data, 1),
        }),
      ];
    case 'TimesheetResubmitted':
      return [upsert(data.timesheetId, { status: 'submitted', pending: true, statusReason: null, ...timesheetFields(data, data.version ?? 2) })];
    case 'TimesheetApproved':
      return [upsert(data.timesheetId, { status: 'approved', pending: false, statusReason: null })];
    case 'TimesheetRejected':
      return [upsert(data.timesheetId, { status: 'rejected', pending: false, statusReason: data.reason ?? null })];
    default:
      return [];
  }
}

function shiftFields(details: ShiftDetails): Partial<ShiftTimesheetRow> {
  const summary: ShiftSummary = {
    staffMember: details.staffMember,
    start: details.start,
    end: details.end,
    startsAt: new Date(details.start).toISOString(),
    endsAt: new Date(details.end).toISOString(),
    location: details.location ?? null,
    role: details.role ?? null,
  };
  return {
    projectId: details.projectId ?? null,
    title: `${details.role ?? 'Shift'}: ${details.staffMember.name}`,
    summary: summary as unknown as Record<string, unknown>,
  };
}

function timesheetFields(data: Record<string, any>, version: number): Partial<ShiftTimesheetRow> {
  const entries = data.entries as TimesheetEntry[];
  const dates = entries.map((e) => e.date).sort();
  const summary: TimesheetSummary = {
    staffMember: data.staffMember,
    timeZone: data.timeZone,
    entries,
    totalMinutes: data.totalMinutes,
    firstDate: dates[0],
    lastDate: dates[dates.length - 1],
    note: data.note ?? null,
    version,
  };
  const period = summary.firstDate === summary.lastDate ? summary.firstDate : `${summary.firstDate} to ${summary.lastDate}`;
  return { title: `Timesheet: ${summary.staffMember.name}, ${period}`, summary: summary as unknown as Record<string, unknown> };
}
