import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMA_VERSIONS } from '@app/domain';
import { EventMetadata, EventShape, EventToAppend, RecordedEvent } from '@app/event-store';

/**
 * Events for specs, with the metadata a command handler gives them: the one place a spec makes
 * a stored event (to hand to a projection) or an event to append (to a store a runner reads).
 * Pass the domain's typed events (`QuoteEvent`, ...) where the spec has them.
 */
export interface EventOptions {
  organizationId?: string;
  actor?: EventMetadata['actor'];
  channel?: EventMetadata['channel'];
  /** When the command was decided (ISO 8601); default: now. */
  at?: string;
  id?: string;
  /** The request that caused it (the events of one command share it); default: a new one. */
  correlationId?: string;
}

export interface RecordedOptions extends EventOptions {
  /** Default: `test-<uuid>`. */
  stream?: string;
  /** Global position; default: 1. */
  position?: bigint;
  /** Revision in its stream; default: 0. */
  revision?: bigint;
}

export const TEST_ORGANIZATION = 'o1';
const STAFF: EventMetadata['actor'] = { kind: 'staff', id: 'k1' };

export function metadataOf(type: string, options: EventOptions = {}): EventMetadata {
  const correlationId = options.correlationId ?? randomUUID();
  return {
    organizationId: options.organizationId ?? TEST_ORGANIZATION,
    actor: options.actor ?? STAFF,
    channel: options.channel ?? (options.actor?.kind === 'portal-user' ? 'portal' : 'api'),
    correlationId,
    causationId: correlationId,
    occurredAt: options.at ?? new Date().toISOString(),
    schemaVersion: EVENT_SCHEMA_VERSIONS[type] ?? 1,
  };
}

/** An event to append to a store. */
export function eventToAppend(event: EventShape, options: EventOptions = {}): EventToAppend {
  return { id: options.id ?? randomUUID(), type: event.type, data: plain(event.data), metadata: metadataOf(event.type, options) };
}

/** An event as the store hands it to a reader. */
export function recordedEvent(event: EventShape, options: RecordedOptions = {}): RecordedEvent {
  const { id, type, data, metadata } = eventToAppend(event, options);
  return {
    id,
    type,
    data,
    metadata,
    streamName: options.stream ?? `test-${randomUUID()}`,
    streamRevision: options.revision ?? 0n,
    position: options.position ?? 1n,
    recordedAt: metadata.occurredAt,
  };
}

/**
 * Stored events in log order: positions from 1 up, revisions counted per stream, and (unless
 * an event says otherwise) one second apart from `start`, so that specs can name the times.
 */
export function eventLog(defaults: EventOptions & { start?: string } = {}) {
  const events: RecordedEvent[] = [];
  const revisions = new Map<string, bigint>();
  let clock = Date.parse(defaults.start ?? '2026-01-01T00:00:00.000Z');
  return {
    events,
    /** Records an event on its stream; answers it. */
    record(stream: string, event: EventShape, options: EventOptions = {}): RecordedEvent {
      clock += 1000;
      const revision = (revisions.get(stream) ?? -1n) + 1n;
      revisions.set(stream, revision);
      const recorded = recordedEvent(event, { ...defaults, at: new Date(clock).toISOString(), ...options, stream, revision, position: BigInt(events.length + 1) });
      events.push(recorded);
      return recorded;
    },
  };
}

/** The event's data as the store keeps it: a JSON object. */
function plain(data: object): Record<string, unknown> {
  return { ...data };
}
