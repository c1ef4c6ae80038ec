import { EventMetadata, RecordedEvent } from '@app/event-store';
import { collection, ProjectionWrite } from './read-store';
import { insert, Projection, positionKey } from './projection';

/** One stored event in the audit history (docs/read-models.md, `audit_log_v1`). */
export interface AuditEntryRow {
  /** The event's global position, zero-padded to 20 digits. */
  id: string;
  organizationId: string;
  position: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  occurredAt: string;
  actor: EventMetadata['actor'];
  onBehalfOf: NonNullable<EventMetadata['onBehalfOf']> | null;
  channel: EventMetadata['channel'];
  correlationId: string;
  /** The ids the event is about. */
  subjectIds: string[];
  /** The event's data as stored (personal fields still sealed). */
  data: Record<string, unknown>;
}

/** One event in one subject's history (`audit_by_subject_v1`), keyed `<subjectId>:<position>`. */
export interface AuditBySubjectRow extends AuditEntryRow {
  subjectId: string;
}

export const AUDIT_LOG_COLLECTION = collection<AuditEntryRow>('audit_log_v1');
export const AUDIT_BY_SUBJECT_COLLECTION = collection<AuditBySubjectRow>('audit_by_subject_v1');

/** Fields of event data that name what an event is about. */
const SUBJECT_FIELDS = ['accessId', 'contactId', 'clientId', 'keyId', 'organizationId'];
/** Fields that name several subjects (the companies an access acts for, before and after a change). */
const SUBJECT_LIST_FIELDS = ['clientIds', 'previousClientIds'];

/**
 * The audit history: every event, in order, with who did it, for whom, through which channel
 * and when. One row per event, plus one per subject so that "the history of X" is an index
 * range. Rows are keyed by position, so a replayed event is ignored.
 */
export const auditProjection: Projection = {
  name: 'audit_v1',
  eventTypes: '*',
  collections: [
    { name: AUDIT_LOG_COLLECTION, indexes: [['organizationId']] },
    { name: AUDIT_BY_SUBJECT_COLLECTION, indexes: [['organizationId', 'subjectId']] },
  ],

  project(event: RecordedEvent): ProjectionWrite[] {
    const subjectIds = subjectsOf(event);
    const entry: Omit<AuditEntryRow, 'id'> = {
      organizationId: event.metadata.organizationId,
      position: Number(event.position),
      eventId: event.id,
      type: event.type,
      schemaVersion: event.metadata.schemaVersion,
      occurredAt: event.metadata.occurredAt,
      actor: event.metadata.actor,
      onBehalfOf: event.metadata.onBehalfOf ?? null,
      channel: event.metadata.channel,
      correlationId: event.metadata.correlationId,
      subjectIds,
      // As stored: personal fields stay encrypted here and are opened when read, so that an
      // erased person's data reads `[erased]` without rewriting the history.
      data: event.storedData ?? event.data,
    };
    const key = positionKey(event.position);
    return [
      insert(AUDIT_LOG_COLLECTION, { id: key, ...entry }),
      ...subjectIds.map((subjectId) => insert(AUDIT_BY_SUBJECT_COLLECTION, { id: `${subjectId}:${key}`, ...entry, subjectId })),
    ];
  },
};

function subjectsOf(event: RecordedEvent): string[] {
  const ids = new Set<string>();
  const streamId = event.streamName.slice(event.streamName.indexOf('-') + 1);
  if (streamId) ids.add(streamId);
  for (const field of SUBJECT_FIELDS) {
    const value = event.data[field];
    if (typeof value === 'string' && value) ids.add(value);
  }
  for (const field of SUBJECT_LIST_FIELDS) {
    const values = event.data[field];
    if (Array.isArray(values)) for (const value of values) if (typeof value === 'string' && value) ids.add(value);
  }
  return [...ids];
}
