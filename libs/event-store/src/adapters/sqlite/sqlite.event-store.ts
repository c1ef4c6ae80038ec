import Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import {
  UnreadableEventError,
  AppendOptions,
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
} from '../../event-store';
import { siblingModule, startWorker } from '../../worker-thread';
import { abortableSleep } from '../abortable-sleep';
import { AppendNotifier } from '../append-notifier';
import { normalizeId, validateAppend, validateMaxCount } from '../append-rules';
import { openEventsDatabase } from './schema';
import { AppendOutcome, AppendRequest, SqliteEventWriter, settle } from './sqlite-event-writer';
import { StoredEvent } from '../../integrity';
import type { WriterReply, WriterRequest } from './sqlite-writer.worker';

export interface SqliteEventStoreOptions {
  /** Events read per query by a catching-up subscription. */
  subscriptionPageSize?: number;
  /** How often a caught-up subscription looks for events written by another process. */
  pollIntervalMs?: number;
  /** Most appends gathered into one transaction. */
  maxAppendsPerTransaction?: number;
  /**
   * Page cache of this thread's reading connection, in KiB (default 64 MiB, for the service's
   * many small reads). A process that reads the log once from end to end (the audit CLI) gains
   * nothing from a large one: the operating system's file cache serves it as fast.
   */
  readCacheKiB?: number;
}

/** Counters for tests and metrics: how well group commit gathers appends. */
export interface SqliteEventStoreStats {
  /** Transactions committed (one fsync each). */
  transactions: number;
  /** Appends decided in those transactions (written, retried idempotently, or refused). */
  appends: number;
}

interface PendingAppend extends AppendRequest {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

const COLUMNS = 'position, id, stream_name, stream_revision, type, data, metadata, recorded_at, hash';

interface EventRow {
  position: bigint;
  id: string;
  stream_name: string;
  stream_revision: bigint;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
  hash: string | null;
}

/** The writer thread stopped (crashed, was terminated) before it answered: the outcome is unknown. */
export class EventStoreWriterStoppedError extends Error {
  constructor(detail: string) {
    super(`The event store's writer stopped before answering (${detail}); the append may or may not be stored: retry it with the same event ids`);
    this.name = 'EventStoreWriterStoppedError';
  }
}

/**
 * The embedded, durable event store: one SQLite file in WAL mode. An acknowledged append is on
 * disk (synchronous=FULL, fsync) and survives kill -9 or a power cut.
 *
 * Writes happen in a worker thread that owns the write connection (SqliteEventWriter): the
 * request thread gathers the appends that arrive together, hands them over as one batch (one
 * transaction, one fsync) and goes on serving requests while the batch commits; whatever
 * arrives meanwhile forms the next batch. Each append is answered when its batch is durable,
 * and fails if the writer dies first (never a false success). Reads use this thread's own
 * connection: indexed, short, and never blocked by the writer (WAL).
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly notifier = new AppendNotifier();
  private readonly pageSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBatch: number;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private inFlight: { batchId: number; appends: PendingAppend[] } | undefined;
  private nextBatchId = 1;
  private writer: Worker | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private readonly counters: SqliteEventStoreStats = { transactions: 0, appends: 0 };
  private readonly appendListeners = new Set<(position: bigint) => void>();
  private readonly erasures = new Map<number, { resolve(): void; reject(error: Error): void }>();
  /** Keeps the personal-data keys beside the log: new ones are stored with the append that uses them. */
  readonly keepsPersonalDataKeys = true;
  /** Filtered page queries, by the number of types they filter on. */
  private readonly filteredPages = new Map<number, Database.Statement<unknown[], EventRow>>();

  private readonly statements: {
    streamEvents: Database.Statement<[string], EventRow>;
    streamEventsAfter: Database.Statement<[string, bigint], EventRow>;
    streamHead: Database.Statement<[string], bigint>;
    page: Database.Statement<[bigint, number], EventRow>;
    storedPage: Database.Statement<[bigint, number], StoredEvent>;
    storedStreamFrom: Database.Statement<[string, bigint, number], StoredEvent>;
    head: Database.Statement<[], bigint>;
    findKey: Database.Statement<[string], { key: Buffer | null; erased_at: string | null }>;
  };

  constructor(
    readonly filePath: string,
    options: SqliteEventStoreOptions = {},
  ) {
    this.pageSize = options.subscriptionPageSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.maxBatch = options.maxAppendsPerTransaction ?? 1000;
    // Created here first (schema included), so that reads work before the writer has started.
    this.db = openEventsDatabase(filePath, 'reader', options.readCacheKiB);
    // A file from before the hash chain: the writer chains its events once, before any read.
    if (this.db.prepare('SELECT 1 FROM events WHERE hash IS NULL LIMIT 1').get()) new SqliteEventWriter(filePath).close();
    const columns = COLUMNS;
    // The hash stored for the stream's previous event (one lookup in the stream index).
    const previousHash =
      "CASE WHEN e.stream_revision = 0 THEN '0000000000000000000000000000000000000000000000000000000000000000' ELSE " +
      '(SELECT p.hash FROM events p WHERE p.stream_name = e.stream_name AND p.stream_revision = e.stream_revision - 1) END AS previousHash';
    // Named as StoredEvent's fields: the rows are the stored events, without a copy each.
    const stored =
      'e.position AS position, e.stream_name AS streamName, e.stream_revision AS streamRevision, e.id AS id, e.type AS type, ' +
      `e.data AS data, e.metadata AS metadata, e.recorded_at AS recordedAt, e.hash AS hash, ${previousHash}`;
    this.statements = {
      // These use the (stream_name, stream_revision) unique index.
      streamEvents: this.db.prepare(`SELECT ${columns} FROM events WHERE stream_name = ? ORDER BY stream_revision`),
      streamEventsAfter: this.db.prepare(`SELECT ${columns} FROM events WHERE stream_name = ? AND stream_revision >= ? ORDER BY stream_revision`),
      streamHead: this.db
        .prepare<[string], bigint>('SELECT stream_revision FROM events WHERE stream_name = ? ORDER BY stream_revision DESC LIMIT 1')
        .pluck(),
      page: this.db.prepare(`SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      storedPage: this.db.prepare(`SELECT ${stored} FROM events e WHERE e.position > ? ORDER BY e.position LIMIT ?`),
      storedStreamFrom: this.db.prepare(`SELECT ${stored} FROM events e WHERE e.stream_name = ? AND e.stream_revision >= ? ORDER BY e.stream_revision LIMIT ?`),
      head: this.db.prepare<[], bigint>('SELECT COALESCE(MAX(position), 0) FROM events').pluck(),
      findKey: this.db.prepare('SELECT key, erased_at FROM personal_data_keys WHERE subject = ?'),
    };
  }

  async readStoredAll(options: ReadAllOptions): Promise<StoredEvent[]> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    if (options.maxCount === 0) return [];
    return this.statements.storedPage.all(options.after ?? 0n, options.maxCount);
  }

  async readStoredStream(streamName: string, options: { fromRevision?: bigint; maxCount: number }): Promise<StoredEvent[]> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    return this.statements.storedStreamFrom.all(streamName, options.fromRevision ?? 0n, options.maxCount);
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<ReadStreamResult> {
    this.assertOpen();
    const from = options.fromRevision ?? 0n;
    if (from === 0n) {
      const events = this.statements.streamEvents.all(streamName).map(toRecordedOrThrow);
      return { events, revision: events.length === 0 ? -1n : events[events.length - 1].streamRevision };
    }
    // One event early: when the stream has nothing new (the usual case for a cached state),
    // that event still tells its revision, without a second query.
    const rows = this.statements.streamEventsAfter.all(streamName, from - 1n).map(toRecordedOrThrow);
    if (rows.length > 0) return { events: rows.slice(1), revision: rows[rows.length - 1].streamRevision };
    return { events: [], revision: this.statements.streamHead.get(streamName) ?? -1n };
  }

  appendToStream(streamName: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.assertOpen();
      if (this.closing) throw new Error(`The event store ${this.filePath} is closing`);
      validateAppend(streamName, events);
      const rows = events.map((event) => ({ type: event.type, data: JSON.stringify(event.data), metadata: JSON.stringify(event.metadata) }));
      const ids = events.map((event) => normalizeId(event.id));
      this.queue.push({ streamName, expected: options.expectedRevision, ids, rows, keys: options.personalDataKeys, resolve, reject });
      this.scheduleFlush();
    });
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    if (options.maxCount === 0) return [];
    return readable(this.rowsAfter(options.after ?? 0n, options.maxCount, options.eventTypes).rows);
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    const { signal } = options;
    let cursor = options.after ?? 0n;
    while (!signal?.aborted && !this.closed) {
      // Noted before the read: an append committed while this page is handed out wakes the wait.
      const seen = this.notifier.current;
      const readAt = performance.now();
      const { rows, scannedTo } = this.rowsAfter(cursor, this.pageSize, options.eventTypes);
      for (const event of readable(rows)) {
        if (signal?.aborted || this.closed) return;
        yield event;
        cursor = event.position;
      }
      cursor = scannedTo;
      if (rows.length < this.pageSize) {
        // Caught up: wait for an append in this process, or poll for another process's.
        await this.notifier.wait(seen, signal, this.pollIntervalMs);
        if (options.minIntervalMs) await abortableSleep(readAt + options.minIntervalMs - performance.now(), signal);
      } else {
        await betweenPages();
      }
    }
  }

  /** Pages straight from the log: one query per page, parsed once. */
  async *subscribeToAllPages(options: SubscribePagesOptions): AsyncIterable<RecordedEvent[]> {
    const { signal, maxCount } = options;
    validateMaxCount(maxCount);
    if (maxCount < 1) throw new RangeError(`maxCount must be a positive integer, got ${maxCount}`);
    let cursor = options.after ?? 0n;
    while (!signal?.aborted && !this.closed) {
      const seen = this.notifier.current;
      const readAt = performance.now();
      const { rows, scannedTo } = this.rowsAfter(cursor, maxCount, options.eventTypes);
      const page = readable(rows);
      if (page.length > 0) yield page;
      cursor = scannedTo;
      if (rows.length < maxCount && !signal?.aborted && !this.closed) {
        await this.notifier.wait(seen, signal, this.pollIntervalMs);
        if (options.minIntervalMs) await abortableSleep(readAt + options.minIntervalMs - performance.now(), signal);
      } else await betweenPages();
    }
  }

  /**
   * Rows after a position, oldest first (only those of the given types when there are some),
   * and how far the log was looked at: a filtered read that found fewer than maxCount rows
   * looked at everything up to the head it started from, so that its next read starts there
   * instead of scanning again the rows of other types.
   */
  private rowsAfter(after: bigint, maxCount: number, eventTypes: readonly string[] | undefined): { rows: EventRow[]; scannedTo: bigint } {
    if (!eventTypes) {
      const rows = this.statements.page.all(after, maxCount);
      return { rows, scannedTo: rows.length ? rows[rows.length - 1].position : after };
    }
    if (eventTypes.length === 0) return { rows: [], scannedTo: after };
    const head = this.statements.head.get() ?? 0n;
    let statement = this.filteredPages.get(eventTypes.length);
    if (!statement) {
      const placeholders = eventTypes.map(() => '?').join(', ');
      statement = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? AND position <= ? AND type IN (${placeholders}) ORDER BY position LIMIT ?`);
      this.filteredPages.set(eventTypes.length, statement);
    }
    const rows = statement.all(after, head, ...eventTypes, maxCount);
    return { rows, scannedTo: rows.length === maxCount ? rows[rows.length - 1].position : head > after ? head : after };
  }

  /**
   * Called after each committed batch, with the last position it wrote: another reader of the
   * same file in this process (the projection thread) is told at once instead of at its next poll.
   */
  onAppended(listener: (position: bigint) => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /** Another connection appended to the file: subscriptions look now rather than at their next poll. */
  wake(): void {
    this.notifier.notify();
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    return this.statements.head.get() ?? 0n;
  }

  /** Commits the appends already accepted, stops the writer, then closes the file. Subscriptions end. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  async personalDataKey(subject: string): Promise<Uint8Array | 'erased' | null> {
    this.assertOpen();
    const row = this.statements.findKey.get(subject);
    if (!row) return null;
    return row.erased_at !== null || !row.key ? 'erased' : row.key;
  }

  erasePersonalDataKey(subject: string): Promise<void> {
    this.assertOpen();
    return new Promise<void>((resolve, reject) => {
      const requestId = this.nextBatchId++;
      this.erasures.set(requestId, { resolve, reject });
      const writer = this.writerThread();
      writer.ref();
      writer.postMessage({ type: 'erase-key', requestId, subject, at: new Date().toISOString() } satisfies WriterRequest);
    });
  }

  /** Transactions committed and appends decided in them since this store was opened. */
  stats(): SqliteEventStoreStats {
    return { ...this.counters };
  }

  private async shutDown(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0 || this.inFlight) {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        this.flush();
      });
    }
    const writer = this.writer;
    this.writer = undefined;
    if (writer) {
      const exited = new Promise<void>((resolve) => writer.once('exit', () => resolve()));
      writer.ref(); // until it has closed its connection and exited
      writer.postMessage({ type: 'close' } satisfies WriterRequest);
      await exited;
    }
    this.closed = true;
    this.db.close();
    this.notifier.notify();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate runs after this turn's I/O callbacks: every append they made joins the batch.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Hands the next batch to the writer, unless one is being committed (it will call again). */
  private flush(): void {
    if (this.inFlight) return;
    if (this.queue.length === 0) {
      this.drained?.();
      return;
    }
    const appends = this.queue.slice(0, this.maxBatch);
    this.queue = this.queue.slice(appends.length);
    const batchId = this.nextBatchId++;
    this.inFlight = { batchId, appends };
    const request: WriterRequest = {
      type: 'commit',
      batchId,
      recordedAt: new Date().toISOString(),
      appends: appends.map(({ streamName, expected, ids, rows, keys }) => ({ streamName, expected, ids, rows, ...(keys?.length ? { keys } : {}) })),
    };
    const writer = this.writerThread();
    writer.ref(); // a batch in flight keeps the process alive until it is answered
    writer.postMessage(request);
  }

  private writerThread(): Worker {
    if (this.writer) return this.writer;
    const worker = startWorker(siblingModule(__dirname, 'sqlite-writer.worker', __filename), { filePath: this.filePath });
    worker.on('message', (reply: WriterReply) => this.onReply(reply));
    worker.on('error', (error) => this.onWriterStopped(worker, error.message));
    worker.on('exit', (code) => this.onWriterStopped(worker, `exit code ${code}`));
    this.writer = worker;
    return worker;
  }

  private onReply(reply: WriterReply): void {
    if (reply.type === 'key-erased') {
      const erasure = this.erasures.get(reply.requestId);
      this.erasures.delete(reply.requestId);
      if (reply.error) erasure?.reject(new Error(`The key could not be erased: ${reply.error}`));
      else erasure?.resolve();
      if (!this.inFlight && this.erasures.size === 0) this.writer?.unref();
      return;
    }
    if (reply.type !== 'committed' && reply.type !== 'failed') return;
    const batch = this.inFlight;
    if (!batch || batch.batchId !== reply.batchId) return;
    this.inFlight = undefined;
    if (this.erasures.size === 0) this.writer?.unref(); // idle: the writer alone must not keep the process alive
    if (reply.type === 'failed') {
      const error = new Error(`The event store could not commit: ${reply.message}`);
      for (const append of batch.appends) append.reject(error);
    } else {
      this.counters.transactions += 1;
      this.counters.appends += batch.appends.length;
      let last = 0n;
      reply.outcomes.forEach((outcome: AppendOutcome, i) => {
        if (outcome.ok && outcome.position > last) last = outcome.position;
        try {
          batch.appends[i].resolve(settle(outcome));
        } catch (error) {
          batch.appends[i].reject(error);
        }
      });
      this.notifier.notify();
      if (last > 0n) for (const listener of this.appendListeners) listener(last);
    }
    this.flush();
  }

  /**
   * The writer died (or was terminated) with a batch in flight: its appends get an error, since
   * nobody knows whether that batch committed; a retry with the same ids is idempotent. The
   * next batch starts a new writer.
   */
  private onWriterStopped(worker: Worker, detail: string): void {
    if (this.writer !== worker) return;
    this.writer = undefined;
    const batch = this.inFlight;
    this.inFlight = undefined;
    for (const erasure of this.erasures.values()) erasure.reject(new EventStoreWriterStoppedError(detail));
    this.erasures.clear();
    if (batch) {
      const error = new EventStoreWriterStoppedError(detail);
      for (const append of batch.appends) append.reject(error);
      this.notifier.notify(); // it may have committed: let subscriptions look
    }
    this.flush();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`The event store ${this.filePath} is closed`);
  }
}

/**
 * Events of the log that parse: one that no longer does (its stored text was altered) is left
 * out of the log's readers, so that it stops neither the service nor its projections; verify
 * names it, and the commands of its stream answer UnreadableEventError.
 */
function readable(rows: EventRow[]): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  for (const row of rows) {
    const event = tryRecorded(row);
    if (event) events.push(event);
  }
  return events;
}

function toRecordedOrThrow(row: EventRow): RecordedEvent {
  const event = tryRecorded(row);
  if (!event) throw new UnreadableEventError(row.stream_name, row.stream_revision, row.position, row.id);
  return event;
}

function tryRecorded(row: EventRow): RecordedEvent | undefined {
  let data: unknown;
  let metadata: unknown;
  try {
    data = JSON.parse(row.data);
    metadata = JSON.parse(row.metadata);
  } catch {
    return undefined;
  }
  if (!isObject(data) || !isObject(metadata)) return undefined;
  return toRecorded(row, data, metadata as RecordedEvent['metadata']);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toRecorded(row: EventRow, data: Record<string, unknown>, metadata: RecordedEvent['metadata']): RecordedEvent {
  return {
    id: row.id,
    type: row.type,
    data,
    metadata,
    streamName: row.stream_name,
    streamRevision: row.stream_revision,
    position: row.position,
    recordedAt: row.recorded_at,
    hash: row.hash ?? undefined,
  };
}

/**
 * Between two full pages of a catch-up: the reads are synchronous and a consumer's awaits
 * settle at once, so without a turn of the event loop a long backlog would be read to its end
 * before a timer, an I/O callback or a message to the thread (a request to stop) ran.
 */
function betweenPages(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

