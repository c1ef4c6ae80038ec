import type { ShiftDetails, TimesheetEntry } from '@app/domain';
import { CLIENT_DOCUMENTS_COLLECTION, ShiftRow, ShiftSummary, TimesheetRow, TimesheetSummary } from './client-documents';
import { RecordedEventOf, SomeRowFields, unhandled, upsert } from './projection';
import { ProjectionWrite } from './read-store';

/** The shift and timesheet events the per-client document list follows. */
export const SHIFT_TIMESHEET_EVENT_TYPES = [
  'ShiftPublished',
  'ShiftUpdated',
  'ShiftCancelled',
  'TimesheetSubmitted',
  'TimesheetResubmitted',
  'TimesheetApproved',
  'TimesheetRejected',
] as const;

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
export function projectShiftOrTimesheet(event: RecordedEventOf<(typeof SHIFT_TIMESHEET_EVENT_TYPES)[number]>): ProjectionWrite[] {
  const organizationId = event.metadata.organizationId;
  const at = event.metadata.occurredAt;
  const row = (id: string, set: SomeRowFields<ShiftRow> | SomeRowFields<TimesheetRow>): ProjectionWrite[] => [
    upsert(CLIENT_DOCUMENTS_COLLECTION, id, event.position, { set: { ...set, updatedAt: at } }),
  ];

  switch (event.type) {
    case 'ShiftPublished': {
      const data = event.data;
      return row(data.shiftId, {
        organizationId,
        kind: 'shift',
        clientId: data.clientId,
        contactId: null,
        number: null,
        status: 'published',
        pending: false,
        statusReason: null,
        createdAt: at,
        ...shiftFields(data),
      });
    }
    case 'ShiftUpdated':
      return row(event.data.shiftId, shiftFields(event.data.shift));
    case 'ShiftCancelled':
      return row(event.data.shiftId, { status: 'cancelled', pending: false, statusReason: event.data.reason ?? null });

    case 'TimesheetSubmitted': {
      const data = event.data;
      return row(data.timesheetId, {
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
      });
    }
    case 'TimesheetResubmitted':
      return row(event.data.timesheetId, { status: 'submitted', pending: true, statusReason: null, ...timesheetFields(event.data, event.data.version ?? 2) });
    case 'TimesheetApproved':
      return row(event.data.timesheetId, { status: 'approved', pending: false, statusReason: null });
    case 'TimesheetRejected':
      return row(event.data.timesheetId, { status: 'rejected', pending: false, statusReason: event.data.reason ?? null });
    default:
      return unhandled(event);
  }
}

function shiftFields(details: ShiftDetails): Pick<ShiftRow, 'projectId' | 'title' | 'summary'> {
  const summary: ShiftSummary = {
    staffMember: details.staffMember,
    start: details.start,
    end: details.end,
    startsAt: new Date(details.start).toISOString(),
    endsAt: new Date(details.end).toISOString(),
    location: details.location ?? null,
    role: details.role ?? null,
  };
  return { projectId: details.projectId ?? null, title: `${details.role ?? 'Shift'}: ${details.staffMember.name}`, summary };
}

function timesheetFields(data: Pick<TimesheetSummary, 'staffMember' | 'timeZone' | 'entries' | 'totalMinutes' | 'note'>, version: number): Pick<TimesheetRow, 'title' | 'summary'> {
  const entries: TimesheetEntry[] = data.entries;
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
  return { title: `Timesheet: ${summary.staffMember.name}, ${period}`, summary };
}
