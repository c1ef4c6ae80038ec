import {
  ANY,
  AccessDeniedError,
  AppendExpectedRevision,
  BACKWARDS,
  END,
  EventStoreDBClient,
  InvalidArgumentError,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotFoundError,
  Position,
  ReadPosition,
  RecordedEvent as EsdbRecordedEvent,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  UnknownError,
  UnsupportedError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
} from '@eventstore/db-client';
import {
  AppendOutcomeUnknownError,
  AppendResult,
  CheckpointBeyondHeadError,
  EventMetadata,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  ReadStreamResult,
  RecordedEvent,
  SubscribeOptions,
  SubscribePagesOptions,
  pagesOf,
  SubscriptionFailedError,
  SubscriptionFailure,
  WrongExpectedRevisionError,
} from '../event-store';
import { normalizeId, validateAppend, validateMaxCount } from './append-rules';
import { eventHash, GENESIS_HASH, StoredEvent, storedEventOf } from '../integrity';
import { trimOldest } from '../bounded-cache';
import { abortableSleep } from './abortable-sleep';

/**
 * The hash chain rides in each event's metadata (`chain`), computed at append time from the
 * stream's event at the expected revision; the hash covers the metadata without it.
 */
interface ChainMetadata {
  previous: string;
  hash: string;
}

export interface EventStoreDbEventStoreOptions {
  /** First wait before a dropped subscription resubscribes; doubles on each failure in a row. */
  reconnectDelayMs?: number;
  /** Longest wait between two resubscriptions. */
  maxReconnectDelayMs?: number;
  /** Told of every transient subscription drop, before it resubscribes. Default: one console.warn line. */
  onSubscriptionDropped?: (error: unknown, attempt: number) => void;
  /** Told of a subscription failure retrying cannot fix, before it is thrown. Default: one console.error line. */
  onSubscriptionFailed?: (error: SubscriptionFailedError) => void;
  /** Longest wait for the server to answer one append attempt. */
  appendTimeoutMs?: number;
  /** Attempts of an append whose outcome is unknown (dropped connection, timeout), with the same event ids. */
  appendAttempts?: number;
}

/** gRPC keep-alive (ms): a connection that silently died is noticed within ~20 s. */
const KEEP_ALIVE_INTERVAL_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 10_000;

/** Stream heads whose chain hash is kept (least recently used go first). */
const CHAIN_HEADS_KEPT = 10_000;

/** Page size of the $all reads that skip system events (readAll, headPosition). */
const SYSTEM_SKIP_PAGE = 100;

/** The oldest server whose stream reads carry positions, which the position handling needs. */
const MIN_SERVER_VERSION: [number, number] = [22, 6];

/**
 * The client library keeps its pending batch appends in one registry shared by every client in
 * the process: a connection error on one client fails the appends of all. So a process holds
 * one client of its own; a second must not be opened beside it.
 */
let clientOpenInProcess = false;

/**
 * EventStoreDB adapter (client v6, server 22.6 or later: events carry their position).
 *
 * Positions. The port's `position` is the event's *prepare* position: its own offset in the
 * transaction log, unique, and increasing in $all order. Since the server commits each event
 * of an append as its own "committed prepare" (no separate commit record), an event's $all
 * position is {commit: p, prepare: p}, a real record boundary. So "after p" is the $all
 * position {commit: p, prepare: p} exactly: subscriptions start exclusive of it, forward
 * reads inclusive (we drop events <= p). We never build a position that is not an event's:
 * the server answers a read or subscription from a position inside a record with an
 * "invalid position" error (or, in older versions, garbage).
 *
 * The append result's position is the server's commit position of the write, which is not
 * documented to be the last event's; we read that event back by its revision instead.
 *
 * Failures. An append whose answer is lost (dropped connection, no answer in time) may have
 * been written: it is retried with the same event ids and the same expected revision, which
 * the server answers with the original result, and every attempt is bounded by a timeout.
 * Subscriptions resubscribe after transient errors; an error retrying cannot fix (access
 * denied, an invalid position, a checkpoint beyond the head of the log) is logged, kept for
 * health (`subscriptionFailure()`) and thrown as a SubscriptionFailedError.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly ownsClient: boolean;
  private readonly reconnectDelayMs: number;
  private readonly maxReconnectDelayMs: number;
  private readonly appendTimeoutMs: number;
  private readonly appendAttempts: number;
  private readonly onSubscriptionDropped: (error: unknown, attempt: number) => void;
  private readonly onSubscriptionFailed: (error: SubscriptionFailedError) => void;
  /** One per open subscription: close() aborts them all. */
  private readonly subscriptions = new Set<AbortController>();
  private failure: SubscriptionFailure | undefined;
  private closed = false;
  /** The chain hash of recently written or read stream heads. */
  private readonly chainHeads = new Map<string, { revision: bigint; hash: string }>();

  /**
   * A store whose server was checked: refuses a server older than 22.6. Use this, not the
   * constructor, outside tests.
   */
  static async connect(connectionString: string, options: EventStoreDbEventStoreOptions = {}): Promise<EventStoreDbEventStore> {
    const store = new EventStoreDbEventStore(connectionString, options);
    try {
      await store.checkServerVersion();
      return store;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  /** `connection`: a connection string (`esdb://host:2113?tls=false`), or a client (tests). */
  constructor(connection: string | EventStoreDBClient, options: EventStoreDbEventStoreOptions = {}) {
    this.ownsClient = typeof connection === 'string';
    if (this.ownsClient) {
      if (clientOpenInProcess) {
        throw new Error('An EventStoreDB client is already open in this process: share that EventStoreDbEventStore (the client library shares pending appends between clients)');
      }
      clientOpenInProcess = true;
    }
    this.client =
      typeof connection === 'string' ? EventStoreDBClient.connectionString(withKeepAlive(connection)) : connection;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 250;
    this.maxReconnectDelayMs = options.maxReconnectDelayMs ?? 10_000;
    this.appendTimeoutMs = options.appendTimeoutMs ?? 5_000;
    this.appendAttempts = options.appendAttempts ?? 3;
    this.onSubscriptionDropped =
      options.onSubscriptionDropped ??
      ((error, attempt) =>
        // eslint-disable-next-line no-console
        console.warn(`EventStoreDB subscription dropped (attempt ${attempt}), resubscribing: ${describeError(error)}`));
    this.onSubscriptionFailed =
      options.onSubscriptionFailed ??
      // eslint-disable-next-line no-console
      ((error) => console.error(`EventStoreDB subscription failed, not retrying: ${error.message}`));
  }

  /** Throws unless the server is 22.6 or later (older ones give stream reads no position). */
  async checkServerVersion(): Promise<string> {
    // The client reads the server's version once per connection; it keeps it protected.
    const { serverVersion } = await (this.client as unknown as { capabilities: Promise<{ serverVersion: string }> }).capabilities;
    if (!isAtLeast(serverVersion, MIN_SERVER_VERSION)) {
      throw new Error(`EventStoreDB ${serverVersion} is not supported: this service needs ${MIN_SERVER_VERSION.join('.')} or later (events read from a stream must carry their position)`);
    }
    return serverVersion;
  }

  subscriptionFailure(): SubscriptionFailure | undefined {
    return this.failure;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<ReadStreamResult> {
    this.checkOpen();
    const events: RecordedEvent[] = [];
    const from = options.fromRevision ?? 0n;
    try {
      for await (const resolved of this.client.readStream(streamName, from > 0n ? { fromRevision: from } : {})) {
        const recorded = resolved.event && toRecorded(resolved.event);
        if (recorded) events.push(recorded);
      }
      if (events.length === 0 && from > 0n) {
        // Nothing new: the stream's revision is that of its last event.
        for await (const resolved of this.client.readStream(streamName, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
          if (resolved.event) return { events, revision: resolved.event.revision };
        }
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return { events: [], revision: -1n };
      throw error;
    }
    const last = events[events.length - 1];
    if (last?.hash) this.rememberChainHead(streamName, last.streamRevision, last.hash);
    return { events, revision: events.length === 0 ? -1n : last.streamRevision };
  }

  async appendToStream(
    streamName: string,
    events: EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.checkOpen();
    validateAppend(streamName, events);
    const expected = options.expectedRevision;
    // Built once: every attempt proposes the very same events (ids included, chain included).
    // Known without a read when this process wrote or read the stream's head last (no await
    // then: the append goes out in this very turn).
    const known = this.chainHeads.get(streamName);
    let previous = typeof expected === 'bigint' && known?.revision === expected ? known.hash : await this.chainHeadFor(streamName, expected);
    let chainRevision = typeof expected === 'bigint' ? expected : expected === 'no_stream' ? -1n : await this.lastRevision(streamName);
    const proposed = events.map((event) => {
      const id = normalizeId(event.id);
      chainRevision += 1n;
      const hash = eventHash(previous, { streamName, streamRevision: chainRevision, id, type: event.type, data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) });
      const chain: ChainMetadata = { previous, hash };
      previous = hash;
      return jsonEvent({ id, type: event.type, data: event.data, metadata: { ...event.metadata, chain } });
    });
    let result;
    for (let attempt = 1; ; attempt += 1) {
      try {
        result = await withTimeout(
          this.client.appendToStream(streamName, proposed, { expectedRevision: toEsdbExpected(expected), deadline: this.appendTimeoutMs }),
          this.appendTimeoutMs,
          `no answer to the append within ${this.appendTimeoutMs} ms`,
        );
        break;
      } catch (error) {
        if (error instanceof WrongExpectedVersionError) {
          throw new WrongExpectedRevisionError(streamName, expected, toRevision(error.actualVersion));
        }
        // Any other error may have come after the server wrote the events (the connection
        // dropped, the answer was late): the same ids at the same expected revision either
        // write them now or get the original result back, never a second copy.
        if (!isUncertain(error)) throw error;
        if (attempt >= this.appendAttempts || this.closed) throw new AppendOutcomeUnknownError(streamName, error);
        await abortableSleep(Math.min(this.reconnectDelayMs * 2 ** (attempt - 1), this.maxReconnectDelayMs));
      }
    }
    // With throwOnAppendFailure=false in the connection string the client reports instead
    // (its batch-append path then gets the actual revision wrong: keep the default, true).
    if (!result.success) throw new WrongExpectedRevisionError(streamName, expected, result.nextExpectedRevision);

    // nextExpectedRevision is the revision of this append's last event (of the original
    // append, for an idempotent retry): its position is the one to report. The events are
    // written: a failure to read it back must not fail the append (a retry of the request
    // would decide again on the new revision).
    const revision = result.nextExpectedRevision;
    if (revision === chainRevision) this.rememberChainHead(streamName, revision, previous);
    const position = await this.positionOfRevision(streamName, revision).catch(() => this.positionOfRevision(streamName, revision)).catch(() => undefined);
    return { nextExpectedRevision: result.nextExpectedRevision, position: position ?? result.position?.prepare ?? 0n };
  }

  private rememberChainHead(streamName: string, revision: bigint, hash: string): void {
    this.chainHeads.delete(streamName);
    this.chainHeads.set(streamName, { revision, hash });
    trimOldest(this.chainHeads, CHAIN_HEADS_KEPT);
  }

  /** The chain hash of the stream's event the append will follow (GENESIS_HASH for a new stream). */
  private async chainHeadFor(streamName: string, expected: ExpectedRevision): Promise<string> {
    if (expected === 'no_stream') return GENESIS_HASH;
    const options = typeof expected === 'bigint' ? { fromRevision: expected, maxCount: 1 } : { fromRevision: END, direction: BACKWARDS, maxCount: 1 };
    try {
      for await (const resolved of this.client.readStream(streamName, { ...options, requiresLeader: true } as Parameters<EventStoreDBClient['readStream']>[1])) {
        const metadata = resolved.event ? (decodeJson(resolved.event.metadata) as { chain?: ChainMetadata } | undefined) : undefined;
        return metadata?.chain?.hash ?? GENESIS_HASH;
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return GENESIS_HASH;
  }

  private async lastRevision(streamName: string): Promise<bigint> {
    try {
      for await (const resolved of this.client.readStream(streamName, { fromRevision: END, direction: BACKWARDS, maxCount: 1, requiresLeader: true })) {
        if (resolved.event) return resolved.event.revision;
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return -1n;
  }

  async readStoredAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    const events = await this.readAll(options);
    return events.map(toStored);
  }

  async readStoredStream(streamName: string, options: { fromRevision?: bigint; maxCount: number }): Promise<StoredEvent[]> {
    validateMaxCount(options.maxCount);
    const { events } = await this.readStream(streamName, { fromRevision: options.fromRevision });
    return events.slice(0, options.maxCount).map(toStored);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    this.checkOpen();
    validateMaxCount(options.maxCount);
    const events: RecordedEvent[] = [];
    let cursor = options.after !== undefined && options.after > 0n ? options.after : undefined;
    // Pages may hold system events, which we skip: read on until the page is full or the log
    // ends, in pages of at least SYSTEM_SKIP_PAGE so that runs of system events cost few calls.
    while (events.length < options.maxCount) {
      // Forward reads include their start, which is the event at `cursor`: read one more.
      const pageSize = Math.max(options.maxCount - events.length, SYSTEM_SKIP_PAGE) + (cursor === undefined ? 0 : 1);
      const fromPosition: ReadPosition = cursor === undefined ? START : { commit: cursor, prepare: cursor };
      const page = this.client.readAll({ fromPosition, maxCount: pageSize });
      let read = 0;
      let last: Position | undefined;
      for await (const resolved of page) {
        read += 1;
        const event = resolved.event;
        if (!event) continue;
        last = event.position;
        if (cursor !== undefined && event.position.prepare <= cursor) continue;
        const recorded = toRecorded(event);
        if (!recorded || (options.eventTypes && !options.eventTypes.includes(recorded.type))) continue;
        events.push(recorded);
        if (events.length === options.maxCount) {
          void page.cancel().catch(() => undefined);
          return events;
        }
      }
      if (read < pageSize || last === undefined) break; // end of the log
      cursor = last.prepare;
    }
    return events;
  }

  subscribeToAllPages(options: SubscribePagesOptions): AsyncIterable<RecordedEvent[]> {
    return pagesOf(this.subscribeToAll(options), options.maxCount);
  }

  subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    return { [Symbol.asyncIterator]: () => this.subscription(options) };
  }

  /**
   * One subscription, with its own abort signal: the caller's signal, close(), and return()
   * abort it. return() acts at once, also while a next() waits for an event that may never
   * come (an async generator would queue it behind that next(), leaving the server-side
   * subscription open).
   */
  private subscription(options: SubscribeOptions): AsyncIterator<RecordedEvent> {
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    const release = (): void => {
      options.signal?.removeEventListener('abort', abort);
      this.subscriptions.delete(controller);
      controller.abort();
    };
    if (options.signal?.aborted || this.closed) controller.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    this.subscriptions.add(controller);
    const events = this.subscribeLoop(options.after, controller.signal, options.eventTypes);
    return {
      next: async () => {
        try {
          const next = await events.next();
          if (next.done) release();
          return next;
        } catch (error) {
          release();
          throw error;
        }
      },
      return: async () => {
        release();
        await events.return(undefined);
        return { done: true, value: undefined };
      },
    };
  }

  private async *subscribeLoop(after: bigint | undefined, signal: AbortSignal, eventTypes?: readonly string[]): AsyncGenerator<RecordedEvent> {
    // Server-side: only the wanted types (an exact-name pattern; system events never match), or every non-system event.
    const filter = eventTypes ? eventTypeFilter({ regex: `^(${eventTypes.map(escapeRegex).join('|')})$` }) : excludeSystemEvents();
    // Prepare position of the last event handed out: resubscriptions start right after it.
    let cursor = after !== undefined && after > 0n ? after : undefined;
    let failures = 0;
    while (!signal.aborted) {
      // One abort signal per attempt, aborted when the attempt ends however it ends: its
      // server-side subscription never outlives it.
      const attempt = new AbortController();
      const abortAttempt = (): void => attempt.abort();
      signal.addEventListener('abort', abortAttempt, { once: true });
      let dropped: unknown = new Error('the server ended the subscription');
      try {
        // Checked on every attempt: a log reset while we were away shows up on a resubscription.
        if (cursor !== undefined) await this.refuseBeyondHead(cursor);
        const subscription = this.client.subscribeToAll({
          fromPosition: cursor === undefined ? START : { commit: cursor, prepare: cursor },
          filter,
        });
        // unsubscribe() cancels the gRPC call; destroy() ends a `for await` waiting for an event.
        const stop = (): void => {
          void subscription.unsubscribe().catch(() => undefined);
          subscription.destroy();
        };
        if (attempt.signal.aborted) return stop();
        attempt.signal.addEventListener('abort', stop, { once: true });
        // One event at a time, in order: the next one is read only once this one was handled.
        for await (const resolved of subscription) {
          const event = resolved.event;
          if (!event) continue;
          if (cursor !== undefined && event.position.prepare <= cursor) continue;
          const recorded = toRecorded(event);
          if (!recorded) continue;
          this.failure = undefined;
          yield recorded;
          cursor = recorded.position;
          failures = 0;
        }
      } catch (error) {
        if (signal.aborted) return;
        const permanent = asPermanentFailure(error);
        if (permanent) {
          this.failure = { reason: permanent.message, at: new Date().toISOString() };
          this.onSubscriptionFailed(permanent);
          throw permanent;
        }
        dropped = error;
      } finally {
        // Also runs when the consumer stops early (return()) or the loop throws.
        signal.removeEventListener('abort', abortAttempt);
        attempt.abort();
      }
      if (signal.aborted) return;
      // The client does not resubscribe by itself: wait, then start again after the cursor.
      failures += 1;
      this.onSubscriptionDropped(dropped, failures);
      await abortableSleep(Math.min(this.reconnectDelayMs * 2 ** (failures - 1), this.maxReconnectDelayMs), signal);
    }
  }

  /** A checkpoint past the newest event means the log was reset or restored behind it. */
  private async refuseBeyondHead(after: bigint): Promise<void> {
    const head = await this.headPosition();
    if (after > head) throw new CheckpointBeyondHeadError(after, head);
  }

  async headPosition(): Promise<bigint> {
    this.checkOpen();
    // The newest event that is not a system event; pages bounded, as every $all read here.
    let fromPosition: ReadPosition = END;
    let boundary: bigint | undefined; // oldest position seen so far
    for (;;) {
      let read = 0;
      let last: Position | undefined;
      const page = this.client.readAll({ direction: BACKWARDS, fromPosition, maxCount: SYSTEM_SKIP_PAGE });
      for await (const resolved of page) {
        read += 1;
        const event = resolved.event;
        if (!event) continue;
        if (boundary !== undefined && event.position.prepare >= boundary) continue;
        last = event.position;
        if (!isSystemEvent(event)) {
          void page.cancel().catch(() => undefined);
          return event.position.prepare;
        }
      }
      if (read < SYSTEM_SKIP_PAGE || last === undefined) return 0n;
      fromPosition = last;
      boundary = last.prepare;
    }
  }

  /**
   * Ends every subscription (none restarts), then the client's calls and its gRPC channel
   * (the client's dispose() cancels the calls but leaves the channel open).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const subscription of this.subscriptions) subscription.abort();
    this.subscriptions.clear();
    try {
      await this.client.dispose();
      await closeChannel(this.client);
    } finally {
      if (this.ownsClient) clientOpenInProcess = false;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('The EventStoreDB store is closed');
  }

  /** Position of the event at `revision` of a stream, read from the leader. */
  private async positionOfRevision(streamName: string, revision: bigint): Promise<bigint | undefined> {
    const read = this.client.readStream(streamName, { fromRevision: revision, maxCount: 1, requiresLeader: true });
    for await (const resolved of read) {
      if (resolved.event?.revision === revision && resolved.event.position) return resolved.event.position.prepare;
    }
    return undefined;
  }
}

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return expected;
  }
}

function toRevision(actual: 'no_stream' | bigint): bigint {
  return actual === 'no_stream' ? -1n : actual;
}

function isSystemEvent(event: EsdbRecordedEvent): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

/** Our view of a stored event; undefined for system events (`$` types and streams). */
function toRecorded(event: EsdbRecordedEvent): RecordedEvent | undefined {
  if (isSystemEvent(event)) return undefined;
  const { chain, ...metadata } = (decodeJson(event.metadata) ?? {}) as EventMetadata & { chain?: ChainMetadata };
  return {
    id: event.id,
    type: event.type,
    data: (decodeJson(event.data) ?? {}) as Record<string, unknown>,
    metadata: metadata as EventMetadata,
    ...(chain ? { hash: chain.hash, previousHash: chain.previous } : {}),
    streamName: event.streamId,
    streamRevision: event.revision,
    // Servers before 22.6 give no position on stream reads; $all reads always have one.
    position: event.position?.prepare ?? -1n,
    recordedAt: event.created.toISOString(),
  };
}

/** The event as stored, for verification: the chain's previous hash is the one recorded at append. */
function toStored(event: RecordedEvent & { previousHash?: string }): StoredEvent {
  return storedEventOf(event, event.previousHash ?? null);
}

/** JSON events arrive parsed; bytes (written by other clients) are parsed here if they can be. */
function decodeJson(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    if (value.length === 0) return undefined;
    try {
      return JSON.parse(Buffer.from(value).toString('utf8'));
    } catch {
      return undefined;
    }
  }
  return value;
}

/** Adds gRPC keep-alive settings to a connection string that does not set them. */
export function withKeepAlive(connectionString: string): string {
  let result = connectionString.trim();
  const add = (key: string, value: number): void => {
    if (new RegExp(`[?&]${key}=`, 'i').test(result)) return;
    result += `${result.includes('?') ? '&' : '?'}${key}=${value}`;
  };
  add('keepAliveInterval', KEEP_ALIVE_INTERVAL_MS);
  add('keepAliveTimeout', KEEP_ALIVE_TIMEOUT_MS);
  return result;
}

/**
 * Errors after which an append may or may not have been written: everything but an answer
 * from the server that it refused the append (a conflict, access, size, a deleted stream).
 */
function isUncertain(error: unknown): boolean {
  return !(
    error instanceof AccessDeniedError ||
    error instanceof InvalidArgumentError ||
    error instanceof NotFoundError ||
    error instanceof StreamDeletedError ||
    error instanceof UnsupportedError ||
    error instanceof MaxAppendSizeExceededError
  );
}

/** gRPC codes no retry can fix: invalid argument, permission denied, failed precondition, out of range, unimplemented. */
const PERMANENT_GRPC_CODES = new Set([3, 7, 9, 11, 12]);

/**
 * The subscription error retrying cannot fix, as a SubscriptionFailedError; undefined for a
 * transient one (the connection dropped, the server restarted or changed leader).
 */
function asPermanentFailure(error: unknown): SubscriptionFailedError | undefined {
  if (error instanceof SubscriptionFailedError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const permanent =
    error instanceof AccessDeniedError ||
    error instanceof NotFoundError ||
    error instanceof StreamDeletedError ||
    error instanceof UnsupportedError ||
    error instanceof InvalidArgumentError ||
    (error instanceof UnknownError && /invalid position/i.test(error.message)) ||
    (typeof code === 'number' && PERMANENT_GRPC_CODES.has(code));
  if (!permanent) return undefined;
  return new SubscriptionFailedError(`EventStoreDB refused the subscription to $all: ${describeError(error)}`, error);
}

/** Closes the client's gRPC channel, which its dispose() leaves open. */
async function closeChannel(client: EventStoreDBClient): Promise<void> {
  // getChannel is protected: the channel in use (a new, not yet connected one if the last failed).
  const getChannel = (client as unknown as { getChannel?: () => Promise<{ close(): void }> }).getChannel;
  if (typeof getChannel !== 'function') return;
  const channel = await withTimeout(getChannel.call(client), 2_000, 'no channel').catch(() => undefined);
  channel?.close();
}

/** `version` ("24.10.0", "22.10.1-rc1") is at least `minimum` ([major, minor]); "unknown" is not. */
export function isAtLeast(version: string, minimum: [number, number]): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > minimum[0] || (major === minimum[0] && minor >= minimum[1]);
}

/** Rejects after `ms`; the promise itself is left to settle (its outcome is then ignored). */
function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new OperationTimeoutError(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

class OperationTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // The client's errors are all named "Error"; their type says what they are.
  const type = (error as { type?: unknown }).type;
  return `${typeof type === 'string' ? type : error.name}: ${error.message}`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
