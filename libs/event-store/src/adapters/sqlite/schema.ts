import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export const EVENTS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position        INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL UNIQUE,
    stream_name     TEXT    NOT NULL,
    stream_revision INTEGER NOT NULL,
    type            TEXT    NOT NULL,
    data            TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    recorded_at     TEXT    NOT NULL,
    hash            TEXT,
    UNIQUE (stream_name, stream_revision)
  );
`;

/**
 * Files created before the hash chain existed get the column (NULL for their events, which
 * the writer then chains once: see SqliteEventWriter.chainUnchainedEvents), and a note of when
 * that happened, so that a verifier can tell which events were chained after the fact.
 */
function migrate(db: Database.Database): void {
  const columns = db.prepare('PRAGMA table_info(events)').all() as { name: string }[];
  if (!columns.some((column) => column.name === 'hash')) db.exec('ALTER TABLE events ADD COLUMN hash TEXT');
  db.exec(`
    CREATE INDEX IF NOT EXISTS events_unchained ON events (position) WHERE hash IS NULL;
    CREATE TABLE IF NOT EXISTS personal_data_keys (subject TEXT PRIMARY KEY, key BLOB, erased_at TEXT);
    CREATE TABLE IF NOT EXISTS chain_migrations (
      chained_at TEXT NOT NULL, first_position INTEGER NOT NULL, last_position INTEGER NOT NULL, events INTEGER NOT NULL
    );
  `);
}

/** The page cache of a connection (64 MiB), unless its opener asks for another size. */
const DEFAULT_CACHE_KIB = 65_536;

/**
 * Opens the events file in WAL mode (readers never wait for the writer), integers as bigint.
 * The writer's connection adds synchronous=FULL: the WAL is fsynced at every commit (NORMAL
 * would lose the last commits on a power cut).
 */
export function openEventsDatabase(filePath: string, role: 'reader' | 'writer', cacheKiB = DEFAULT_CACHE_KIB): Database.Database {
  mkdirSync(dirname(filePath), { recursive: true });
  const db = new Database(filePath);
  const journalMode = db.pragma('journal_mode = WAL', { simple: true });
  if (String(journalMode).toLowerCase() !== 'wal') {
    db.close();
    throw new Error(`SQLite could not switch ${filePath} to WAL mode (got ${String(journalMode)})`);
  }
  // Another connection may hold the write lock (or a checkpoint) for a moment: wait, not fail.
  db.pragma('busy_timeout = 5000');
  // Appends touch random pages of the id and stream indexes: a larger page cache and fewer,
  // larger checkpoints (40 MB of WAL instead of 4) raise group-commit throughput by about half.
  db.pragma(`cache_size = -${Math.max(64, Math.floor(cacheKiB))}`);
  if (role === 'writer') {
    db.pragma('synchronous = FULL');
    // A destroyed personal-data key is overwritten in the file, not only unlinked.
    db.pragma('secure_delete = ON');
    db.pragma('wal_autocheckpoint = 10000');
  }
  db.defaultSafeIntegers(true);
  db.exec(EVENTS_SCHEMA);
  migrate(db);
  return db;
}
