'use strict';
/**
 * Baseline: what the disk allows. better-sqlite3 with the event store's settings (WAL,
 * synchronous=FULL, same table and indexes), rows shaped like the API's events.
 */
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const Database = require('better-sqlite3');
const { median, round } = require('./util');

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position        INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL UNIQUE,
    stream_name     TEXT    NOT NULL,
    stream_revision INTEGER NOT NULL,
    type            TEXT    NOT NULL,
    data            TEXT    NOT NULL,
    metadata        TEXT    NOT NULL,
    recorded_at     TEXT    NOT NULL,
    UNIQUE (stream_name, stream_revision)
  );`;

function open(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -65536');
  db.pragma('wal_autocheckpoint = 10000');
  db.exec(SCHEMA);
  return db;
}

function aRow() {
  const id = randomUUID();
  const contactId = randomUUID();
  const now = new Date().toISOString();
  return [
    id,
    `portalAccess-${randomUUID()}`,
    0,
    'ContactInvited',
    JSON.stringify({ accessId: randomUUID(), portalId: 'default', contactId, clientId: randomUUID(), email: `${contactId}@example.com`, invitationId: randomUUID(), sentAt: now, expiresAt: now }),
    JSON.stringify({ organizationId: 'org', actor: { kind: 'staff', id: 'x' }, channel: 'api', correlationId: id, causationId: id, occurredAt: now, schemaVersion: 1 }),
    now,
  ];
}

/** Closed loop for `seconds`: transactions of `rowsPerTransaction` rows, each committed (fsync). */
function measure(file, rowsPerTransaction, seconds) {
  const db = open(file);
  try {
    const insert = db.prepare('INSERT INTO events (id, stream_name, stream_revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const commit = db.transaction((rows) => {
      for (const row of rows) insert.run(...row);
    });
    // Payloads made ahead, outside the timed loop; ids stay random UUIDs, as the API's are (they
    // land at random places of the unique index, which is part of the real cost).
    const pool = Array.from({ length: 1_000 }, aRow);
    let cursor = 0;
    const nextRows = () => {
      const rows = [];
      for (let i = 0; i < rowsPerTransaction; i++) {
        const [, , revision, type, data, metadata, recordedAt] = pool[cursor++ % pool.length];
        rows.push([randomUUID(), `portalAccess-${randomUUID()}`, revision, type, data, metadata, recordedAt]);
      }
      return rows;
    };
    let transactions = 0;
    const started = process.hrtime.bigint();
    const deadline = started + BigInt(Math.round(seconds * 1e9));
    let now = started;
    while (now < deadline) {
      commit.immediate(nextRows());
      transactions++;
      now = process.hrtime.bigint();
    }
    const elapsed = Number(now - started) / 1e9;
    return { transactions, rows: transactions * rowsPerTransaction, seconds: elapsed };
  } finally {
    db.close();
  }
}

/** (a) one row per transaction, (b) 100 rows per transaction; `repeats` fresh files each. */
async function sqliteBaseline(dir, { seconds = 2, repeats = 3 } = {}) {
  const yieldToSignals = () => new Promise((resolve) => setImmediate(resolve)); // each measure blocks the loop
  const single = [];
  const batched = [];
  for (let i = 0; i < repeats; i++) {
    const a = measure(join(dir, `single-${i}.sqlite`), 1, seconds);
    single.push(round(a.transactions / a.seconds, 0));
    await yieldToSignals();
    const b = measure(join(dir, `batched-${i}.sqlite`), 100, seconds);
    batched.push(round(b.rows / b.seconds, 0));
    await yieldToSignals();
  }
  return {
    settings: 'better-sqlite3, journal_mode=WAL, synchronous=FULL, events table and indexes as SqliteEventStore, BEGIN IMMEDIATE',
    oneRowPerTransaction: { commitsPerSecond: median(single), rounds: single },
    hundredRowsPerTransaction: { rowsPerSecond: median(batched), commitsPerSecond: round(median(batched) / 100, 0), rounds: batched },
  };
}

module.exports = { sqliteBaseline };
