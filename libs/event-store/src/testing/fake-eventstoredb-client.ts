/**
 * A stand-in for the EventStoreDB client (`EventStoreDBClient`, v6) with the server's
 * behaviour as far as the adapter relies on it, so that the adapter's own logic (position
 * mapping, paging past system events, resubscribing) is tested where no server runs. The
 * real server is tested by the container suite; this fake follows it on these points:
 *
 * - Positions are byte offsets in one log (the first record far from 0); each event of an append is its own committed
 *   record, so its $all position is {commit: p, prepare: p}.
 * - The log starts with system records (`$`-prefixed streams or types).
 * - readAll forwards from a position includes the event at it; backwards excludes it.
 *   subscribeToAll excludes it. A position that is not a record's is refused, as the server
 *   refuses one that points inside a record ("invalid position").
 * - The append result's position is the end of the write, not its last event's position
 *   (the server does not document it to be that event's).
 * - Expected revisions and idempotent retries as the server checks them.
 * - A subscription's unsubscribe() stops delivery without ending the stream, as the client's
 *   does (it swallows its own cancellation).
 * - A subscription from a position beyond the end of the log is accepted: it goes live and
 *   delivers only what is written beyond that position (the server does the same).
 * - dispose() cancels the calls; the gRPC channel stays open until closed.
 *
 * And the failures a real server shows now and then, on demand: an append written but not
 * answered (the connection dropped, or no answer ever), an append dropped before it was
 * written, a subscription refused for good (access denied), subscriptions dropped.
 */
import {
  AccessDeniedError,
  AppendResult,
  BACKWARDS,
  END,
  EventData,
  Filter,
  Position,
  ReadPosition,
  START,
  StreamNotFoundError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

interface FakeRecord {
  streamId: string;
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
  revision: bigint;
  created: Date;
  position: bigint;
}

type AppendExpected = 'any' | 'no_stream' | 'stream_exists' | bigint;

/**
 * How an append fails: `dropped` (connection lost before the server wrote it),
 * `dropped-after-write` (written, then the connection lost before the answer), `hang` (never
 * answered, not written), `hang-after-write` (written, never answered).
 */
export type AppendFailure = 'dropped' | 'dropped-after-write' | 'hang' | 'hang-after-write';

/** A stand-in for the client's gRPC channel. */
export class FakeChannel {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

export class FakeEventStoreDbClient {
  readonly records: FakeRecord[] = [];
  /** Arguments of every readAll and subscribeToAll call, for assertions. */
  readonly calls = {
    readAll: [] as { fromPosition?: ReadPosition; maxCount?: number | bigint; direction?: string }[],
    subscribeToAll: [] as ReadPosition[],
  };
  /** As the connection string's throwOnAppendFailure. */
  throwOnAppendFailure = true;
  /** What the server reports as its version. */
  serverVersion = '24.10.0';
  readonly channel = new FakeChannel();
  disposed = false;
  /** Every append attempt: stream and event ids, for assertions. */
  readonly appendAttempts: { streamName: string; ids: string[]; expectedRevision: AppendExpected }[] = [];
  /** Where the next record goes. */
  private end: bigint;
  private readonly startAt: bigint;
  private readonly subscriptions = new Set<FakeSubscription>();
  private readonly appendFailures: AppendFailure[] = [];
  private subscriptionRefusal: Error | undefined;

  /**
   * `startAt`: offset of the first record, as on a server whose older history was scavenged.
   * Far from 0 by default, so that a position computed by subtraction lands inside the log
   * (and is refused) rather than at its start.
   */
  constructor(startAt = 64n * 1024n * 1024n) {
    this.startAt = startAt;
    this.end = startAt;
    this.appendSystemEvent('$epochs', '$epoch-information');
    this.appendSystemEvent('$settings', 'settings-updated'); // system by its stream only
  }

  appendSystemEvent(streamId: string, type = '$statistics-collected'): void {
    this.write(streamId, [{ id: randomUUID(), type, data: {}, metadata: undefined }]);
  }

  /** Empties the log, as a server restarted on a fresh volume (or an older backup). */
  wipe(): void {
    this.records.length = 0;
    this.end = this.startAt;
    this.appendSystemEvent('$epochs', '$epoch-information');
  }

  /** The next appends fail so, one failure per append, in order. */
  failNextAppends(...failures: AppendFailure[]): void {
    this.appendFailures.push(...failures);
  }

  /** Every subscription from now on is refused with this error, until acceptSubscriptions(). */
  refuseSubscriptions(error: Error = new AccessDeniedError(undefined, 'Access denied')): void {
    this.subscriptionRefusal = error;
  }

  acceptSubscriptions(): void {
    this.subscriptionRefusal = undefined;
  }

  /** Subscriptions the client holds open (not unsubscribed, not destroyed). */
  get openSubscriptions(): number {
    return this.subscriptions.size;
  }

  /** As the client's (protected) server capabilities. */
  get capabilities(): Promise<{ serverVersion: string }> {
    return Promise.resolve({ serverVersion: this.serverVersion });
  }

  /** As the client's (protected) getChannel: the channel in use. */
  async getChannel(): Promise<FakeChannel> {
    return this.channel;
  }

  /** Ends every live subscription with an error, as a dropped connection does. */
  dropSubscriptions(error: Error): void {
    for (const subscription of this.subscriptions) subscription.destroy(error);
  }

  /** Ends every live subscription without an error, as a server shutting down may. */
  endSubscriptions(): void {
    for (const subscription of this.subscriptions) subscription.push(null);
  }

  async appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options: { expectedRevision?: AppendExpected } = {},
  ): Promise<AppendResult> {
    await new Promise((resolve) => setImmediate(resolve));
    const proposed = Array.isArray(events) ? events : [events];
    this.appendAttempts.push({ streamName, ids: proposed.map((e) => e.id), expectedRevision: options.expectedRevision ?? 'any' });
    const failure = this.appendFailures.shift();
    if (failure === 'dropped') throw new UnavailableError(undefined, 'Connection dropped');
    if (failure === 'hang') return new Promise<never>(() => undefined);
    const result = this.append(streamName, proposed, options);
    if (failure === 'dropped-after-write') {
      await result.catch(() => undefined);
      throw new UnavailableError(undefined, 'Connection dropped');
    }
    if (failure === 'hang-after-write') {
      await result.catch(() => undefined);
      return new Promise<never>(() => undefined);
    }
    return result;
  }

  private async append(streamName: string, proposed: EventData[], options: { expectedRevision?: AppendExpected }): Promise<AppendResult> {
    const stream = this.records.filter((r) => r.streamId === streamName);
    const current = stream.length === 0 ? -1n : stream[stream.length - 1].revision;
    const expected = options.expectedRevision ?? 'any';
    const conflict = (): AppendResult => {
      if (!this.throwOnAppendFailure) return { success: false, nextExpectedRevision: current };
      throw new WrongExpectedVersionError(undefined, {
        streamName,
        expected,
        current: current < 0n ? 'no_stream' : current,
      });
    };

    if (expected === 'stream_exists' && current < 0n) return conflict();
    if (expected === 'no_stream' || typeof expected === 'bigint') {
      const revision = expected === 'no_stream' ? -1n : expected;
      if (revision > current) return conflict();
      if (revision < current) {
        const atPlace = stream.slice(Number(revision + 1n), Number(revision + 1n) + proposed.length);
        const same = atPlace.length === proposed.length && atPlace.every((r, i) => r.id === proposed[i].id);
        if (!same) return conflict();
        const end = this.endOf(atPlace[atPlace.length - 1]);
        return { success: true, nextExpectedRevision: atPlace[atPlace.length - 1].revision, position: { commit: end, prepare: end } };
      }
    }
    const written = this.write(streamName, proposed);
    return {
      success: true,
      nextExpectedRevision: written[written.length - 1].revision,
      position: { commit: this.end, prepare: this.end },
    };
  }

  readStream(
    streamName: string,
    options: { fromRevision?: typeof START | typeof END | bigint; maxCount?: number | bigint; direction?: string } = {},
  ): Readable & { cancel(): Promise<void> } {
    const { fromRevision = START, maxCount = Number.MAX_SAFE_INTEGER, direction } = options;
    const records = this.records.filter((r) => r.streamId === streamName);
    const toEsdb = (r: FakeRecord) => this.toEsdb(r);
    return streamingRead(async function* () {
      await new Promise((resolve) => setImmediate(resolve));
      if (records.length === 0) throw new StreamNotFoundError(undefined, streamName);
      let selected = direction === BACKWARDS ? [...records].reverse() : records;
      if (typeof fromRevision === 'bigint') {
        selected = selected.filter((r) => (direction === BACKWARDS ? r.revision <= fromRevision : r.revision >= fromRevision));
      }
      for (const record of selected.slice(0, Number(maxCount))) yield { event: toEsdb(record) };
    });
  }

  readAll(
    options: { fromPosition?: ReadPosition; maxCount?: number | bigint; direction?: string } = {},
  ): Readable & { cancel(): Promise<void> } {
    this.calls.readAll.push(options);
    const { fromPosition = START, maxCount, direction } = options;
    if (maxCount === undefined) throw new Error('readAll without maxCount');
    const backwards = direction === BACKWARDS;
    let selected: FakeRecord[];
    if (fromPosition === START) selected = backwards ? [] : this.records;
    else if (fromPosition === END) selected = backwards ? [...this.records].reverse() : [];
    else {
      const invalid = this.invalid(fromPosition);
      if (invalid) return streamingRead(async function* () { throw invalid; }); // eslint-disable-line require-yield
      selected = backwards
        ? this.records.filter((r) => r.position < fromPosition.prepare).reverse()
        : this.records.filter((r) => r.position >= fromPosition.prepare);
    }
    const page = selected.slice(0, Number(maxCount)).map((r) => ({ event: this.toEsdb(r), commitPosition: r.position }));
    return streamingRead(async function* () {
      await new Promise((resolve) => setImmediate(resolve));
      yield* page;
    });
  }

  subscribeToAll(options: { fromPosition?: ReadPosition; filter?: Filter } = {}): FakeSubscription {
    const { fromPosition = START, filter } = options;
    this.calls.subscribeToAll.push(fromPosition);
    let next: number;
    if (fromPosition === START) next = 0;
    else if (fromPosition === END) next = this.records.length;
    else next = this.records.findIndex((r) => r.position > fromPosition.prepare);
    const after = typeof fromPosition === 'object' ? fromPosition.prepare : undefined;
    const subscription = new FakeSubscription(this, next === -1 ? this.records.length : next, after, filter, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    const invalid = fromPosition === START || fromPosition === END ? undefined : this.invalid(fromPosition);
    const refusal = this.subscriptionRefusal ?? invalid;
    if (refusal) subscription.fail(refusal);
    return subscription;
  }

  async dispose(): Promise<void> {
    // Cancels the calls of this client; the log stays, as on a server.
    this.disposed = true;
    for (const subscription of this.subscriptions) subscription.destroy();
  }

  /** @internal */
  toEsdb(record: FakeRecord) {
    return {
      streamId: record.streamId,
      id: record.id,
      revision: record.revision,
      type: record.type,
      created: record.created,
      data: record.data,
      metadata: record.metadata,
      isJson: true as const,
      position: { commit: record.position, prepare: record.position } as Position,
    };
  }

  private write(streamId: string, events: { id: string; type: string; data: unknown; metadata?: unknown }[]): FakeRecord[] {
    const stream = this.records.filter((r) => r.streamId === streamId);
    let revision = stream.length === 0 ? -1n : stream[stream.length - 1].revision;
    const written = events.map((event) => {
      revision += 1n;
      const record: FakeRecord = {
        streamId,
        id: event.id,
        type: event.type,
        // As the server stores them: JSON text.
        data: JSON.parse(JSON.stringify(event.data)),
        metadata: event.metadata === undefined ? undefined : JSON.parse(JSON.stringify(event.metadata)),
        revision,
        created: new Date(),
        position: this.end,
      };
      this.end = this.endOf(record);
      this.records.push(record);
      return record;
    });
    for (const subscription of this.subscriptions) subscription.wake();
    return written;
  }

  private endOf(record: FakeRecord): bigint {
    return record.position + 100n + BigInt(Buffer.byteLength(JSON.stringify(record.data ?? null)));
  }

  private invalid(position: Position): Error | undefined {
    const isRecord = position.commit === position.prepare && (position.prepare >= this.end || this.records.some((r) => r.position === position.prepare));
    return isRecord ? undefined : new UnknownError(undefined, 'Trying to read from an invalid position.');
  }
}

/** A catch-up subscription: past records after the start, then live ones, filtered by type. */
export class FakeSubscription extends Readable {
  private cancelled = false;
  private waiting = false;

  constructor(
    private readonly client: FakeEventStoreDbClient,
    private next: number,
    /** Exclusive start: a start beyond the end of the log skips what is written up to it. */
    private readonly after: bigint | undefined,
    private readonly typeFilter: Filter | undefined,
    private readonly forget: () => void,
  ) {
    super({ objectMode: true });
  }

  override _read(): void {
    this.waiting = false;
    this.pump();
  }

  wake(): void {
    if (this.waiting) this._read();
  }

  /** Refuses the subscription: no event, then the error (as the server answers a bad start). */
  fail(error: Error): void {
    this.cancelled = true;
    process.nextTick(() => this.destroy(error));
  }

  async unsubscribe(): Promise<void> {
    this.cancelled = true;
    this.forget();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.forget();
    callback(error);
  }

  private pump(): void {
    const typeFilter = this.typeFilter && 'regex' in this.typeFilter ? new RegExp(this.typeFilter.regex) : undefined;
    while (!this.cancelled && !this.destroyed) {
      const record = this.client.records[this.next];
      if (!record) {
        this.waiting = true;
        return;
      }
      this.next += 1;
      if (this.after !== undefined && record.position <= this.after) continue;
      if (typeFilter && !typeFilter.test(record.type)) continue;
      if (!this.push({ event: this.client.toEsdb(record), commitPosition: record.position })) return;
    }
  }
}

function streamingRead<T>(source: () => AsyncGenerator<T>): Readable & { cancel(): Promise<void> } {
  const readable = Readable.from(source(), { objectMode: true });
  return Object.assign(readable, {
    cancel: async () => {
      readable.destroy();
    },
  });
}
