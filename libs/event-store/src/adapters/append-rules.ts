/**
 * Rules every adapter applies the same way, so that the in-memory and SQLite stores behave
 * like EventStoreDB (ESDB) does: input checks, expected-revision checks, idempotent retries.
 */
import {
  AppendResult,
  EventToAppend,
  ExpectedRevision,
  WrongExpectedRevisionError,
  matchesExpectedRevision,
} from '../event-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Rejects what EventStoreDB would reject or silently hide: ids that are not UUIDs, `$`-prefixed
 * (system) stream names and event types, an empty append, an id twice in one append.
 */
export function validateAppend(streamName: string, events: EventToAppend[]): void {
  if (typeof streamName !== 'string' || streamName.length === 0) {
    throw new TypeError('A stream name is required');
  }
  if (streamName.startsWith('$')) {
    throw new TypeError(`Stream names starting with $ are reserved for the store: ${streamName}`);
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw new TypeError(`An append to ${streamName} needs at least one event`);
  }
  const ids = new Set<string>();
  for (const event of events) {
    if (typeof event.id !== 'string' || !UUID.test(event.id)) {
      throw new TypeError(`Event ids must be UUIDs, got ${String(event.id)}`);
    }
    const id = event.id.toLowerCase();
    if (ids.has(id)) throw new TypeError(`Event id ${id} appears twice in one append`);
    ids.add(id);
    if (typeof event.type !== 'string' || event.type.length === 0 || event.type.startsWith('$')) {
      throw new TypeError(`Invalid event type ${String(event.type)} (required, and not starting with $)`);
    }
  }
}

/** UUIDs are stored lower-case, as EventStoreDB returns them. */
export function normalizeId(id: string): string {
  return id.toLowerCase();
}

/** An event already in the stream, as far as the idempotency check needs it. */
export interface StoredRef {
  id: string;
  streamRevision: bigint;
  position: bigint;
}

export interface AppendCheck {
  streamName: string;
  expected: ExpectedRevision;
  /** Current revision of the stream, -1n when it does not exist. */
  current: bigint;
  /** Normalized ids of the events to append. */
  ids: string[];
  /** Up to `count` events of the stream from `revision` on, in revision order. */
  eventsFrom(revision: bigint, count: number): StoredRef[];
  /** Where an event id is stored, if anywhere. */
  findById(id: string): { streamName: string; streamRevision: bigint } | undefined;
}

/**
 * Decides an append the way EventStoreDB does. Returns the original result when the append
 * is a retry of one already stored (same ids at the same place), undefined when the events
 * must be written, and throws WrongExpectedRevisionError otherwise.
 */
export function checkAppend(check: AppendCheck): AppendResult | undefined {
  const { streamName, expected, current, ids } = check;

  if (expected === 'any' || expected === 'stream_exists') {
    // Without a revision there is no place to compare: as ESDB does on a best-effort basis,
    // a retry is recognized when the ids are already the stream's, one after another.
    const found = check.findById(ids[0]);
    if (found && found.streamName === streamName) {
      const retried = sameIdsFrom(check, found.streamRevision);
      if (retried) return retried;
    }
    if (!matchesExpectedRevision(expected, current)) {
      throw new WrongExpectedRevisionError(streamName, expected, current);
    }
    return undefined;
  }

  const expectedRevision = expected === 'no_stream' ? -1n : expected;
  if (expectedRevision === current) return undefined;
  if (expectedRevision >= -1n && expectedRevision < current) {
    // The stream has moved past the expected revision: a retry of the append that moved it
    // succeeds with the original result, anything else is a conflict.
    const retried = sameIdsFrom(check, expectedRevision + 1n);
    if (retried) return retried;
  }
  throw new WrongExpectedRevisionError(streamName, expected, current);
}

function sameIdsFrom(check: AppendCheck, revision: bigint): AppendResult | undefined {
  const stored = check.eventsFrom(revision, check.ids.length);
  if (stored.length !== check.ids.length) return undefined;
  for (let i = 0; i < stored.length; i++) {
    if (stored[i].id !== check.ids[i]) return undefined;
  }
  const last = stored[stored.length - 1];
  return { nextExpectedRevision: last.streamRevision, position: last.position };
}

/** Checks the bounds of a readAll page size. */
export function validateMaxCount(maxCount: number): void {
  if (!Number.isInteger(maxCount) || maxCount < 0) {
    throw new RangeError(`maxCount must be a non-negative integer, got ${String(maxCount)}`);
  }
}
