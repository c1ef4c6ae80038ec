import Database from 'better-sqlite3';
import { AppendResult, ExpectedRevision, PersonalDataKey, PersonalDataKeyConflictError, WrongExpectedRevisionError } from '../../event-store';
import { checkAppend, StoredRef } from '../append-rules';
import { eventHash, GENESIS_HASH } from '../../integrity';
import { openEventsDatabase } from './schema';

/** An append as the writer gets it: already validated, ids normalized, data serialized. */
export interface AppendRequest {
  streamName: string;
  expected: ExpectedRevision;
  ids: string[];
  rows: { type: string; data: string; metadata: string }[];
  /** Personal-data keys stored with these events (same savepoint): see AppendOptions. */
  keys?: PersonalDataKey[];
}

/** One append's outcome, in a form that crosses a thread (structured clone: no class instances). */
export type AppendOutcome =
  | { ok: true; nextExpectedRevision: bigint; position: bigint }
  | {
      ok: false;
      error:
        | { name: 'WrongExpectedRevisionError'; streamName: string; expected: ExpectedRevision; actual: bigint }
        | { name: 'DuplicateEventIdError'; streamName: string }
        | { name: 'PersonalDataKeyConflictError'; subject: string; erased: boolean };
    };

/** The append's own fault (an id already stored elsewhere): it fails alone, the batch commits. */
export class DuplicateEventIdError extends Error {
  constructor(readonly streamName: string) {
    super(`An event id of this append to ${streamName} is already stored at another place`);
    this.name = 'DuplicateEventIdError';
  }
}

/** Turns an outcome back into what `appendToStream` answers or throws. */
export function settle(outcome: AppendOutcome): AppendResult {
  if (outcome.ok) return { nextExpectedRevision: outcome.nextExpectedRevision, position: outcome.position };
  const error = outcome.error;
  if (error.name === 'WrongExpectedRevisionError') throw new WrongExpectedRevisionError(error.streamName, error.expected, error.actual);
  if (error.name === 'PersonalDataKeyConflictError') throw new PersonalDataKeyConflictError(error.subject, error.erased);
  throw new DuplicateEventIdError(error.streamName);
}

/**
 * The only writer of the events file: group commit. A batch of appends is one transaction
 * (one fsync); each append is checked against its expected revision inside it, in arrival
 * order, within its own savepoint, so a conflict fails that append alone. Writes are serial,
 * so positions (the AUTOINCREMENT key) become visible in order and a reader "after p" never
 * skips one. BEGIN IMMEDIATE takes SQLite's write lock, also against another process.
 */
export class SqliteEventWriter {
  private readonly db: Database.Database;
  private readonly statements: {
    streamHead: Database.Statement<[string], { stream_revision: bigint; hash: string | null }>;
    streamEventsFrom: Database.Statement<[string, bigint, number], { id: string; stream_revision: bigint; position: bigint }>;
    findById: Database.Statement<[string], { stream_name: string; stream_revision: bigint }>;
    insert: Database.Statement<[string, string, bigint, string, string, string, string, string]>;
    insertKey: Database.Statement<[string, Uint8Array]>;
    findKey: Database.Statement<[string], { key: Buffer | null; erased_at: string | null }>;
    eraseKey: Database.Statement<[{ subject: string; at: string }]>;
  };
  private readonly commitBatch: (batch: AppendRequest[], recordedAt: string) => AppendOutcome[];

  constructor(filePath: string) {
    this.db = openEventsDatabase(filePath, 'writer');
    this.statements = {
      streamHead: this.db.prepare('SELECT stream_revision, hash FROM events WHERE stream_name = ? ORDER BY stream_revision DESC LIMIT 1'),
      streamEventsFrom: this.db.prepare(
        'SELECT id, stream_revision, position FROM events WHERE stream_name = ? AND stream_revision >= ? ORDER BY stream_revision LIMIT ?',
      ),
      findById: this.db.prepare('SELECT stream_name, stream_revision FROM events WHERE id = ?'),
      insert: this.db.prepare('INSERT INTO events (id, stream_name, stream_revision, type, data, metadata, recorded_at, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      insertKey: this.db.prepare('INSERT INTO personal_data_keys (subject, key) VALUES (?, ?) ON CONFLICT (subject) DO NOTHING'),
      findKey: this.db.prepare('SELECT key, erased_at FROM personal_data_keys WHERE subject = ?'),
      eraseKey: this.db.prepare(
        'INSERT INTO personal_data_keys (subject, key, erased_at) VALUES (@subject, NULL, @at) ON CONFLICT (subject) DO UPDATE SET key = NULL, erased_at = @at',
      ),
    };
    this.chainUnchainedEvents();
    // A transaction function called inside another runs in a SAVEPOINT: a failing append is
    // rolled back alone, and the batch goes on.
    const appendOne = this.db.transaction((append: AppendRequest, recordedAt: string) => this.write(append, recordedAt));
    const batch = this.db.transaction((appends: AppendRequest[], recordedAt: string): AppendOutcome[] =>
      appends.map((append): AppendOutcome => {
        try {
          const result = appendOne(append, recordedAt);
          return { ok: true, nextExpectedRevision: result.nextExpectedRevision, position: result.position };
        } catch (error) {
          if (error instanceof WrongExpectedRevisionError) {
            return { ok: false, error: { name: 'WrongExpectedRevisionError', streamName: error.streamName, expected: error.expected, actual: error.actual } };
          }
          if (error instanceof DuplicateEventIdError) return { ok: false, error: { name: 'DuplicateEventIdError', streamName: error.streamName } };
          if (error instanceof PersonalDataKeyConflictError) return { ok: false, error: { name: 'PersonalDataKeyConflictError', subject: error.subject, erased: error.erased } };
          throw error;
        }
      }),
    );
    this.commitBatch = (appends, recordedAt) => batch.immediate(appends, recordedAt);
  }

  /** Commits the batch in one transaction; throws (nothing committed) on an I/O or lock failure. */
  commit(appends: AppendRequest[], recordedAt: string): AppendOutcome[] {
    return this.commitBatch(appends, recordedAt);
  }

  /**
   * Destroys a person's data key, durably (its own transaction, fsynced), and checkpoints the
   * WAL so that no older page of the file still holds it.
   */
  erasePersonalDataKey(subject: string, at: string): void {
    this.db.transaction(() => this.statements.eraseKey.run({ subject, at })).immediate();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** The connection's synchronous setting (2: FULL), for the durability spec. */
  synchronous(): bigint {
    return this.db.pragma('synchronous', { simple: true }) as bigint;
  }

  close(): void {
    this.db.close();
  }

  /**
   * Events stored before the hash chain existed are chained once, in position order, the first
   * time a writer opens the file (and the range is noted in chain_migrations): from then on
   * they are as tamper-evident as any other, but a change made to them before that moment
   * cannot be told.
   */
  private chainUnchainedEvents(): void {
    const first = this.db.prepare<[], bigint>('SELECT MIN(position) FROM events WHERE hash IS NULL').pluck().get();
    if (first === null || first === undefined) return;
    const rows = this.db.prepare<[], { position: bigint; id: string; stream_name: string; stream_revision: bigint; type: string; data: string; metadata: string }>(
      'SELECT position, id, stream_name, stream_revision, type, data, metadata FROM events WHERE hash IS NULL ORDER BY position',
    );
    const previous = this.db.prepare<[string, bigint], string | null>('SELECT hash FROM events WHERE stream_name = ? AND stream_revision = ?').pluck();
    const update = this.db.prepare('UPDATE events SET hash = ? WHERE position = ?');
    this.db.transaction(() => {
      let last = first;
      let count = 0;
      for (const row of rows.all()) {
        const before = row.stream_revision === 0n ? GENESIS_HASH : (previous.get(row.stream_name, row.stream_revision - 1n) ?? GENESIS_HASH);
        update.run(eventHash(before, { streamName: row.stream_name, streamRevision: row.stream_revision, id: row.id, type: row.type, data: row.data, metadata: row.metadata }), row.position);
        last = row.position;
        count += 1;
      }
      this.db.prepare('INSERT INTO chain_migrations (chained_at, first_position, last_position, events) VALUES (?, ?, ?, ?)').run(new Date().toISOString(), first, last, count);
    }).immediate();
  }

  /** One append inside the batch transaction (its own savepoint). */
  private write(append: AppendRequest, recordedAt: string): AppendResult {
    const { streamName, ids } = append;
    const head = this.statements.streamHead.get(streamName);
    const current = head?.stream_revision ?? -1n;
    const retried = checkAppend({
      streamName,
      expected: append.expected,
      current,
      ids,
      eventsFrom: (revision, count) =>
        this.statements.streamEventsFrom.all(streamName, revision, count).map(
          (row): StoredRef => ({ id: row.id, streamRevision: row.stream_revision, position: row.position }),
        ),
      findById: (id) => {
        const row = this.statements.findById.get(id);
        return row && { streamName: row.stream_name, streamRevision: row.stream_revision };
      },
    });
    if (retried) return retried;
    // The data keys the events were sealed with are stored with them, or the append fails.
    for (const { subject, key } of append.keys ?? []) {
      this.statements.insertKey.run(subject, key);
      const stored = this.statements.findKey.get(subject)!;
      if (stored.erased_at !== null || !stored.key) throw new PersonalDataKeyConflictError(subject, true);
      if (!Buffer.from(key).equals(stored.key)) throw new PersonalDataKeyConflictError(subject, false);
    }

    let revision = current;
    let position = 0n;
    // Chained to the stream's last stored event, over exactly the text stored.
    let previousHash = head ? (head.hash ?? GENESIS_HASH) : GENESIS_HASH;
    append.rows.forEach((row, i) => {
      revision += 1n;
      const hash = eventHash(previousHash, { streamName, streamRevision: revision, id: ids[i], type: row.type, data: row.data, metadata: row.metadata });
      previousHash = hash;
      try {
        const info = this.statements.insert.run(ids[i], streamName, revision, row.type, row.data, row.metadata, recordedAt, hash);
        position = BigInt(info.lastInsertRowid);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new DuplicateEventIdError(streamName);
        throw error;
      }
    });
    return { nextExpectedRevision: revision, position };
  }
}
