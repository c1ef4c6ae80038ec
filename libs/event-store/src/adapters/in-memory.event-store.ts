import {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  ReadStreamResult,
  RecordedEvent,
  SubscribeOptions,
  SubscribePagesOptions,
} from '../event-store';
import { AppendNotifier } from './append-notifier';
import { eventHash, GENESIS_HASH, StoredEvent, storedEventOf } from '../integrity';
import { checkAppend, normalizeId, validateAppend, validateMaxCount } from './append-rules';

/**
 * Event store held in memory, for tests. Same rules as the durable adapters (it passes the
 * same contract suite); data goes through JSON on the way in and out, as it would on disk.
 */
export class InMemoryEventStore implements EventStore {
  /** The global log: the event at position p is log[p - 1]. */
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly notifier = new AppendNotifier();
  private closed = false;

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<ReadStreamResult> {
    this.assertOpen();
    const stream = this.streams.get(streamName) ?? [];
    return { events: stream.slice(Number(options.fromRevision ?? 0n)).map(copy), revision: BigInt(stream.length) - 1n };
  }

  async appendToStream(
    streamName: string,
    events: EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(streamName, events);
    const stream = this.streams.get(streamName) ?? [];
    const ids = events.map((event) => normalizeId(event.id));
    const retried = checkAppend({
      streamName,
      expected: options.expectedRevision,
      current: BigInt(stream.length) - 1n,
      ids,
      eventsFrom: (revision, count) => stream.slice(Number(revision), Number(revision) + count),
      findById: (id) => this.byId.get(id),
    });
    if (retried) return retried;

    for (const id of ids) {
      const existing = this.byId.get(id);
      if (existing) throw new Error(`Event id ${id} is already stored (in ${existing.streamName})`);
    }
    const recordedAt = new Date().toISOString();
    let previousHash = stream.length ? stream[stream.length - 1].hash! : GENESIS_HASH;
    const recorded = events.map((event, i): RecordedEvent => {
      const stored = { streamName, streamRevision: BigInt(stream.length + i), id: ids[i], type: event.type, data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) };
      const hash = eventHash(previousHash, stored);
      previousHash = hash;
      return {
        id: ids[i],
        type: event.type,
        data: JSON.parse(stored.data) as RecordedEvent['data'],
        metadata: JSON.parse(stored.metadata) as RecordedEvent['metadata'],
        streamName,
        streamRevision: stored.streamRevision,
        position: BigInt(this.log.length + i + 1),
        recordedAt,
        hash,
      };
    });
    for (const event of recorded) {
      this.log.push(event);
      stream.push(event);
      this.byId.set(event.id, event);
    }
    this.streams.set(streamName, stream);
    this.notifier.notify();
    const last = recorded[recorded.length - 1];
    return { nextExpectedRevision: last.streamRevision, position: last.position };
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    return this.page(options.after ?? 0n, options.maxCount, options.eventTypes);
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    const { signal } = options;
    let cursor = options.after ?? 0n;
    while (!signal?.aborted && !this.closed) {
      const seen = this.notifier.current;
      const page = this.page(cursor, 500, options.eventTypes);
      for (const event of page) {
        if (signal?.aborted) return;
        yield event;
        cursor = event.position;
      }
      if (page.length < 500) await this.notifier.wait(seen, signal);
    }
  }

  async *subscribeToAllPages(options: SubscribePagesOptions): AsyncIterable<RecordedEvent[]> {
    const { signal, maxCount } = options;
    validateMaxCount(maxCount);
    if (maxCount < 1) throw new RangeError(`maxCount must be a positive integer, got ${maxCount}`);
    let cursor = options.after ?? 0n;
    while (!signal?.aborted && !this.closed) {
      const seen = this.notifier.current;
      const page = this.page(cursor, maxCount, options.eventTypes);
      if (page.length > 0) {
        yield page;
        cursor = page[page.length - 1].position;
      }
      if (page.length < maxCount && !signal?.aborted && !this.closed) await this.notifier.wait(seen, signal);
    }
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return BigInt(this.log.length);
  }

  async readStoredAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    const start = options.after === undefined || options.after < 0n ? 0 : Number(options.after);
    return this.log.slice(start, start + options.maxCount).map((event) => this.stored(event));
  }

  async readStoredStream(streamName: string, options: { fromRevision?: bigint; maxCount: number }): Promise<StoredEvent[]> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    const from = Number(options.fromRevision ?? 0n);
    return (this.streams.get(streamName) ?? []).slice(from, from + options.maxCount).map((event) => this.stored(event));
  }

  private stored(event: RecordedEvent): StoredEvent {
    const previous = event.streamRevision === 0n ? undefined : this.streams.get(event.streamName)![Number(event.streamRevision) - 1];
    return storedEventOf(event, previous ? previous.hash! : GENESIS_HASH);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.notifier.notify(); // ends the subscriptions
  }

  private page(after: bigint, maxCount: number, eventTypes?: readonly string[]): RecordedEvent[] {
    const start = after < 0n ? 0 : Number(after);
    if (!eventTypes) return this.log.slice(start, start + maxCount).map(copy);
    const page: RecordedEvent[] = [];
    for (let i = start; i < this.log.length && page.length < maxCount; i++) if (eventTypes.includes(this.log[i].type)) page.push(copy(this.log[i]));
    return page;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed');
  }
}

function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Readers get their own copy: changing it must not change the log. */
function copy(event: RecordedEvent): RecordedEvent {
  return { ...event, data: roundTrip(event.data), metadata: roundTrip(event.metadata) };
}
