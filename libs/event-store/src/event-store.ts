/**
 * The event store port. Every adapter (SQLite, EventStoreDB, in-memory) passes the same
 * contract suite (`testing/event-store.contract.ts`).
 *
 * Positions: `position` is a global, strictly increasing number in the order of the `$all`
 * log. A reader that has handled position p asks for events "after p" and never misses one
 * (adapters make positions visible in order).
 */
import type { StoredEvent } from './integrity';

/** Expected state of a stream before an append. `any` is never used on a command path. */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | bigint;

export interface EventMetadata {
  organizationId: string;
  actor: { kind: 'staff' | 'portal-user' | 'system'; id: string };
  onBehalfOf?: { kind: string; id: string };
  channel: 'api' | 'portal' | 'import' | 'system';
  correlationId: string;
  causationId: string;
  /** ISO-8601 instant at which the command was decided. */
  occurredAt: string;
  /** Version of the event's data schema; events never change once stored. */
  schemaVersion: number;
  [key: string]: unknown;
}

export interface EventToAppend {
  /** UUID. Deterministic where a retry must not duplicate (derived from an idempotency key). */
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

/** An event's type and data: what the domain's event unions are made of. */
export interface EventShape {
  type: string;
  data: object;
}

/** An event whose type the reader does not know in advance: any type, any data. */
export interface UntypedEvent extends EventShape {
  data: Record<string, unknown>;
}

/** What the store adds to every event it recorded. */
export interface RecordedEnvelope {
  id: string;
  metadata: EventMetadata;
  streamName: string;
  /** 0-based revision of this event within its stream. */
  streamRevision: bigint;
  /** Global position in the `$all` log: unique and strictly increasing. */
  position: bigint;
  /** When the store recorded it (ISO-8601). */
  recordedAt: string;
  /** The chain hash stored with it (see integrity.ts), where the store keeps one. */
  hash?: string;
  /** The data as stored, personal fields still encrypted, when `data` was decrypted (personal-data.ts). */
  storedData?: Record<string, unknown>;
}

/**
 * A stored event. Typed over a union of domain events (`RecordedEvent<PortalAccessEvent>`), it
 * is a union too: switching over `type` narrows `data`. The adapters deal in the untyped
 * default; a reader narrows by the types it asked for (a projection: the types it declares).
 */
export type RecordedEvent<E extends EventShape = UntypedEvent> = E extends EventShape ? RecordedEnvelope & { type: E['type']; data: E['data'] } : never;

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextExpectedRevision: bigint;
  /** Global position of the last event appended (>= the position of every event it wrote). */
  position: bigint;
}

export interface ReadStreamResult {
  /** The stream's events (from `fromRevision` on when given), oldest first. */
  events: RecordedEvent[];
  /** Revision of the stream's last event, or -1n when the stream does not exist. */
  revision: bigint;
}

export interface ReadStreamOptions {
  /** Inclusive: only events at this revision or later (a cached state needs only what is new). */
  fromRevision?: bigint;
}

export interface ReadAllOptions {
  /** Exclusive: only events with position > after. Omitted: from the start. */
  after?: bigint;
  /** Required: reads are always bounded. */
  maxCount: number;
  /** Only events of these types; omitted: every event. */
  eventTypes?: readonly string[];
}

export interface SubscribeOptions {
  /** Exclusive: deliver events with position > after. Omitted: from the start. */
  after?: bigint;
  /** Only events of these types (a reactor that follows a few): filtered by the store. Omitted: every event. */
  eventTypes?: readonly string[];
  /** Stops the subscription (the iterator then ends). */
  signal?: AbortSignal;
  /**
   * Once caught up, look for new events at most this often (ms): for a follower that need not
   * be prompt (a reactor sending emails), so that it does not query the log after every
   * commit. Honoured by stores that look for new events themselves (SQLite); a store that
   * pushes them (EventStoreDB) delivers as it is told.
   */
  minIntervalMs?: number;
}

export interface SubscribePagesOptions extends SubscribeOptions {
  /** Most events per page. */
  maxCount: number;
}

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
  /**
   * New personal-data keys the events' data was sealed with (crypto-shredding), stored in the
   * same transaction as the events by a store that keeps keys itself (`keepsPersonalDataKeys`):
   * one commit, one fsync. An append whose key lost a race for its person (another key was
   * stored first) or whose person was erased fails alone with PersonalDataKeyConflictError.
   */
  personalDataKeys?: PersonalDataKey[];
}

/** A person's data key (AES-256). Never in an event. */
export interface PersonalDataKey {
  subject: string;
  key: Uint8Array;
}

/** The person already has another key (stored first), or was erased: seal again, then retry. */
export class PersonalDataKeyConflictError extends Error {
  constructor(
    readonly subject: string,
    readonly erased: boolean,
  ) {
    super(erased ? `The personal data of ${subject} was erased` : `Another data key was stored for ${subject} first`);
    this.name = 'PersonalDataKeyConflictError';
  }
}

/** Where a store keeps personal-data keys beside its log (the embedded SQLite store). */
export interface PersonalDataKeyStore {
  /** The person's key, 'erased' once it was destroyed, null when none was ever stored. */
  personalDataKey(subject: string): Promise<Uint8Array | 'erased' | null>;
  /** Destroys the key (durably, before answering): what was sealed with it can never be read again. */
  erasePersonalDataKey(subject: string): Promise<void>;
}

export interface EventStore {
  readStream(streamName: string, options?: ReadStreamOptions): Promise<ReadStreamResult>;
  /**
   * Appends atomically. Throws WrongExpectedRevisionError when the stream is not at the
   * expected revision. Appending events whose ids were already appended at that same place
   * (a retried request) is idempotent: it succeeds without writing them again.
   */
  appendToStream(streamName: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult>;
  /** A bounded page of the global log, oldest first. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Catch-up subscription to the global log: past events, then live ones, in position order,
   * one after another. Consumed with `for await`. Resilient: adapters reconnect by themselves
   * and resume after the last delivered position.
   */
  subscribeToAll(options: SubscribeOptions): AsyncIterable<RecordedEvent>;
  /**
   * The same catch-up subscription, delivered in pages: every page holds what is available at
   * once (at least one event, at most maxCount), so that a reader handles the log a page at a
   * time (one transaction per page) instead of an event at a time.
   */
  subscribeToAllPages(options: SubscribePagesOptions): AsyncIterable<RecordedEvent[]>;
  /**
   * Stores that commit in this process call this after each commit (the embedded store), so
   * that another reader of the same log in this process looks at once instead of at its poll.
   */
  onAppended?(listener: (position: bigint) => void): () => void;
  /** Position of the newest event in the log, or 0n when the log is empty. */
  headPosition(): Promise<bigint>;
  /**
   * A bounded page of the global log as stored (data and metadata as the stored text, with
   * the chain hashes), for verification and export. Events that no longer parse are included.
   */
  readStoredAll(options: ReadAllOptions): Promise<StoredEvent[]>;
  /** A bounded run of a stream's events as stored, from a revision on. */
  readStoredStream(streamName: string, options: { fromRevision?: bigint; maxCount: number }): Promise<StoredEvent[]>;
  /**
   * Why subscriptions fail for good right now (a permanent error, a checkpoint beyond the
   * head), for health and metrics; undefined while they work. Adapters that cannot fail so
   * need not implement it.
   */
  subscriptionFailure?(): SubscriptionFailure | undefined;
  close(): Promise<void>;
}

export interface SubscriptionFailure {
  /** What failed, in words an operator can act on. */
  reason: string;
  /** ISO-8601 instant of the last such failure. */
  at: string;
}

/**
 * A stored event of the stream no longer parses (its stored text was altered): the stream's
 * state cannot be known, so no command may decide on it. `audit verify` names the event.
 */
export class UnreadableEventError extends Error {
  constructor(
    readonly streamName: string,
    readonly streamRevision: bigint,
    readonly position: bigint,
    readonly eventId: string,
  ) {
    super(`The stored event ${eventId} (stream ${streamName}, revision ${streamRevision}, position ${position}) cannot be read: the log was altered there`);
    this.name = 'UnreadableEventError';
  }
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint,
  ) {
    super(`Stream ${streamName} is at revision ${actual}, expected ${String(expected)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/**
 * The store did not confirm an append in time, after retrying it: it may or may not be
 * written. Retrying it with the same event ids and expected revision is safe (the store
 * answers the original result); the request can be retried with its Idempotency-Key.
 */
export class AppendOutcomeUnknownError extends Error {
  constructor(
    readonly streamName: string,
    override readonly cause: unknown,
  ) {
    super(`The append to ${streamName} was not confirmed (${cause instanceof Error ? cause.message : String(cause)}); it may or may not be written`);
    this.name = 'AppendOutcomeUnknownError';
  }
}

/**
 * A subscription failed in a way retrying cannot fix (access denied, an invalid or future
 * position): the consumer must stop and say so rather than retry.
 */
export class SubscriptionFailedError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'SubscriptionFailedError';
  }
}

/**
 * A subscription was asked to start after a position the log has not reached: the log was
 * reset or restored behind the reader's checkpoint. Starting there would skip, without a
 * word, every event written until the log grows past it.
 */
export class CheckpointBeyondHeadError extends SubscriptionFailedError {
  constructor(
    readonly after: bigint,
    readonly head: bigint,
  ) {
    super(
      `Refusing to subscribe after position ${after}: the event log ends at ${head}. The log was reset or restored ` +
        `behind this checkpoint; rebuild the projection (or restore the log) instead of skipping the events written from now on.`,
    );
    this.name = 'CheckpointBeyondHeadError';
  }
}

/** Checks an expected revision against a stream's current revision (-1n: no stream). */
export function matchesExpectedRevision(expected: ExpectedRevision, actual: bigint): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === -1n;
  if (expected === 'stream_exists') return actual >= 0n;
  return expected === actual;
}

/**
 * Pages from an event-at-a-time subscription: a pump reads ahead (at most two pages) into a
 * queue, and each page is what the queue holds when the reader asks (waiting for the first
 * event only). No timer per event: the pump and the reader meet on one promise.
 */
export async function* pagesOf(events: AsyncIterable<RecordedEvent>, maxCount: number): AsyncGenerator<RecordedEvent[]> {
  if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`maxCount must be a positive integer, got ${maxCount}`);
  const iterator = events[Symbol.asyncIterator]();
  const queue: RecordedEvent[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let resume: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const pump = (async () => {
    try {
      for (;;) {
        while (queue.length >= maxCount * 2) await new Promise<void>((resolve) => (resume = resolve));
        const next = await iterator.next();
        if (next.done) break;
        queue.push(next.value);
        notify();
      }
    } catch (error) {
      failure = { error };
    } finally {
      ended = true;
      notify();
    }
  })();
  try {
    for (;;) {
      if (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
      if (queue.length > 0) {
        const page = queue.splice(0, maxCount);
        resume?.();
        resume = undefined;
        yield page;
        continue;
      }
      if (failure) throw failure.error;
      return;
    }
  } finally {
    // The source's own abort signal ends it; its pending next() is not awaited here.
    void iterator.return?.()?.catch(() => undefined);
    void pump;
  }
}
