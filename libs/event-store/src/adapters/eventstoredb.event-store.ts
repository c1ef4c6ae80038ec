import {
  ANY,
  AppendExpectedRevision,
  BACKWARDS,
  END,
  EventStoreDBClient,
  NO_STREAM,
  Position,
  ReadPosition,
  RecordedEvent as EsdbRecordedEvent,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
} from '@eventstore/db-client';
import {
  AppendResult,
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
  WrongExpectedRevisionError,
} from '../event-store';
import { normalizeId, validateAppend, validateMaxCount } from './append-rules';

export interface EventStoreDbEventStoreOptions {
  /** First wait before a dropped subscription resubscribes; doubles on each failure in a row. */
  reconnectDelayMs?: number;
  /** Longest wait between two resubscriptions. */
  maxReconnectDelayMs?: number;
  /** Told of every subscription drop, before it resubscribes. Default: one console.warn line. */
  onSubscriptionDropped?: (error: unknown, attempt: number) => void;
}

/** gRPC keep-alive (ms): a connection that silently died is noticed within ~20 s. */
const KEEP_ALIVE_INTERVAL_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 10_000;

/** Page size of the $all reads that skip system events (readAll, headPosition). */
const SYSTEM_SKIP_PAGE = 100;

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
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly reconnectDelayMs: number;
  private readonly maxReconnectDelayMs: number;
  private readonly onSubscriptionDropped: (error: unknown, attempt: number) => void;

  /** `connection`: a connection string (`esdb://host:2113?tls=false`), or a client (tests). */
  constructor(connection: string | EventStoreDBClient, options: EventStoreDbEventStoreOptions = {}) {
    this.client =
      typeof connection === 'string' ? EventStoreDBClient.connectionString(withKeepAlive(connection)) : connection;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 250;
    this.maxReconnectDelayMs = options.maxReconnectDelayMs ?? 10_000;
    this.onSubscriptionDropped =
      options.onSubscriptionDropped ??
      ((error, attempt) =>
        // eslint-disable-next-line no-console
        console.warn(`EventStoreDB subscription dropped (attempt ${attempt}), resubscribing: ${describeError(error)}`));
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<ReadStreamResult> {
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
    return { events, revision: events.length === 0 ? -1n : events[events.length - 1].streamRevision };
  }

  async appendToStream(
    streamName: string,
    events: EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    validateAppend(streamName, events);
    const expected = options.expectedRevision;
    const proposed = events.map((event) =>
      jsonEvent({ id: normalizeId(event.id), type: event.type, data: event.data, metadata: event.metadata }),
    );
    let result;
    try {
      result = await this.client.appendToStream(streamName, proposed, { expectedRevision: toEsdbExpected(expected) });
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedRevisionError(streamName, expected, toRevision(error.actualVersion));
      }
      throw error;
    }
    // With throwOnAppendFailure=false in the connection string the client reports instead
    // (its batch-append path then gets the actual revision wrong: keep the default, true).
    if (!result.success) throw new WrongExpectedRevisionError(streamName, expected, result.nextExpectedRevision);

    // nextExpectedRevision is the revision of this append's last event (of the original
    // append, for an idempotent retry): its position is the one to report.
    const position = await this.positionOfRevision(streamName, result.nextExpectedRevision);
    return { nextExpectedRevision: result.nextExpectedRevision, position: position ?? result.position?.prepare ?? 0n };
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
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
        if (!recorded) continue;
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

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    const { signal } = options;
    // Prepare position of the last event handed out: resubscriptions start right after it.
    let cursor = options.after !== undefined && options.after > 0n ? options.after : undefined;
    let failures = 0;
    while (!signal?.aborted) {
      const subscription = this.client.subscribeToAll({
        fromPosition: cursor === undefined ? START : { commit: cursor, prepare: cursor },
        filter: excludeSystemEvents(),
      });
      // unsubscribe() cancels the gRPC call; destroy() ends a `for await` waiting for an event.
      const stop = (): void => {
        void subscription.unsubscribe().catch(() => undefined);
        subscription.destroy();
      };
      signal?.addEventListener('abort', stop, { once: true });
      let dropped: unknown = new Error('the server ended the subscription');
      try {
        // One event at a time, in order: the next one is read only once this one was handled.
        for await (const resolved of subscription) {
          const event = resolved.event;
          if (!event) continue;
          if (cursor !== undefined && event.position.prepare <= cursor) continue;
          const recorded = toRecorded(event);
          if (!recorded) continue;
          yield recorded;
          cursor = recorded.position;
          failures = 0;
        }
      } catch (error) {
        dropped = error;
      } finally {
        // Also runs when the consumer stops early (break / return()).
        signal?.removeEventListener('abort', stop);
        stop();
      }
      if (signal?.aborted) return;
      // The client does not resubscribe by itself: wait, then start again after the cursor.
      failures += 1;
      this.onSubscriptionDropped(dropped, failures);
      await sleep(Math.min(this.reconnectDelayMs * 2 ** (failures - 1), this.maxReconnectDelayMs), signal);
    }
  }

  async headPosition(): Promise<bigint> {
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

  async close(): Promise<void> {
    await this.client.dispose();
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
  return {
    id: event.id,
    type: event.type,
    data: (decodeJson(event.data) ?? {}) as Record<string, unknown>,
    metadata: (decodeJson(event.metadata) ?? {}) as EventMetadata,
    streamName: event.streamId,
    streamRevision: event.revision,
    // Servers before 22.6 give no position on stream reads; $all reads always have one.
    position: event.position?.prepare ?? -1n,
    recordedAt: event.created.toISOString(),
  };
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
