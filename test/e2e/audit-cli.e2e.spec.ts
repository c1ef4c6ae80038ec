import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PERSONAL_DATA_FIELDS } from '../../libs/domain/src/personal-data';
import { ANCHOR_EVENT_TYPE, anchorStreamName, LogAnchorer, PersonalDataEventStore, PersonalDataVault, SqliteEventStore } from '../../libs/event-store/src';
import { aMetadata } from '../../libs/event-store/src/testing/event-store.contract';

/**
 * The auditors' command line as they run it (`npm run audit -- <command>` is `node
 * scripts/audit.js <command>`), on an embedded store written as the service writes it: personal
 * data sealed, the log anchored. Enough events that an export takes many writes to stdout.
 */
const ROOT = resolve(__dirname, '..', '..');
const CONTACTS = 12;
const UPDATES = 100;
const NOTE = 'n'.repeat(400); // bulk, so that the export is a few MB

describe('audit CLI (e2e)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
  const contactIds = Array.from({ length: CONTACTS }, () => randomUUID());
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  beforeAll(async () => {
    const log = new SqliteEventStore(join(dataDir, 'events.sqlite'));
    const store = new PersonalDataEventStore(log, new PersonalDataVault(log, PERSONAL_DATA_FIELDS));
    for (const [i, contactId] of contactIds.entries()) {
      const event = (type: string, data: Record<string, unknown>) => ({ id: randomUUID(), type, data, metadata: aMetadata() });
      await store.appendToStream(`contact-${contactId}`, [event('ContactAdded', { contactId, clientId: randomUUID(), name: `Person ${i}`, email: `person.${i}@example.com` })], { expectedRevision: 'no_stream' });
      const updates = Array.from({ length: UPDATES }, (_, n) => event('ContactUpdated', { contactId, changes: { phone: `+1 555 ${n}` }, note: NOTE }));
      await store.appendToStream(`contact-${contactId}`, updates, { expectedRevision: 0n });
    }
    const anchors = anchorStreamName(randomUUID());
    const next = await new LogAnchorer(log, anchors).next();
    await log.appendToStream(anchors, [{ id: randomUUID(), type: ANCHOR_EVENT_TYPE, data: { ...next!.data }, metadata: aMetadata() }], { expectedRevision: 'no_stream' });
    await store.close();
  }, 60_000);

  const total = CONTACTS * (UPDATES + 1) + 1;
  const audit = (...args: string[]) => {
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'audit.js'), ...args], {
      env: { ...process.env, DATA_DIR: dataDir, EVENTSTORE_URL: '', MONGO_URL: '' },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };

  it('exports the log as JSONL, decrypted, in many writes without a warning; the file verifies alone, and not once altered', () => {
    const exported = audit('export');
    expect(exported.code).toBe(0);
    expect(exported.stderr).not.toMatch(/Warning/);
    expect(exported.stdout.length).toBeGreaterThan(20 * 64 * 1024);
    const lines = exported.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[0].export).toMatchObject({ version: 1, complete: true });
    expect(lines.at(-1)).toEqual({ summary: { events: total } });
    const added = lines.find((line) => line.type === 'ContactAdded' && line.streamName === `contact-${contactIds[0]}`);
    expect(added.data).toMatchObject({ name: 'Person 0', email: 'person.0@example.com' });
    expect(added.stored.data).not.toContain('Person 0');

    const file = join(dataDir, 'export.jsonl');
    writeFileSync(file, exported.stdout);
    const offline = audit('verify', '--file', file);
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ ok: true, events: total, anchors: 1 });

    const text = readFileSync(file, 'utf8').split('\n');
    const at = text.findIndex((line) => line.includes(`"streamName":"contact-${contactIds[3]}"`));
    const line = JSON.parse(text[at]);
    text[at] = JSON.stringify({ ...line, stored: { ...line.stored, data: line.stored.data.replace('"contactId"', '"contactid"') } });
    writeFileSync(file, text.join('\n'));
    const broken = audit('verify', '--file', file);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, firstBroken: { position: line.position, streamName: `contact-${contactIds[3]}` } });
  });

  it('exports CSV, one row per event under its header', () => {
    const exported = audit('export', '--format', 'csv', '--subject', contactIds[1]);
    expect(exported.code).toBe(0);
    const rows = exported.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^position,occurredAt,type,/);
    expect(rows).toHaveLength(1 + UPDATES + 1);
  });

  it('replays a subject and answers its state as of a position', () => {
    const replay = audit('replay', contactIds[2], '--json');
    expect(replay.code).toBe(0);
    const events = replay.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events).toHaveLength(UPDATES + 1);
    expect(events[0]).toMatchObject({ type: 'ContactAdded', data: { name: 'Person 2' } });

    const asOf = audit('as-of', contactIds[2], events[1].position);
    expect(asOf.code).toBe(0);
    const answer = JSON.parse(asOf.stdout);
    expect(answer.streams[0]).toMatchObject({ streamName: `contact-${contactIds[2]}`, state: { name: 'Person 2', phone: '+1 555 0' } });
    expect(answer.streams[0].events).toHaveLength(2);
  });

  it('answers 2 to a wrong use, with the usage on stderr', () => {
    for (const args of [[], ['frobnicate'], ['export', '--format', 'xml'], ['as-of', contactIds[0], 'yesterday']]) {
      const run = audit(...args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('Usage: npm run audit');
    }
  });

  // Last: it alters the store.
  it('verifies the store (exit 0), then names the event whose stored data lost one byte (exit 1)', () => {
    const ok = audit('verify');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, events: total, anchors: 1 });
    expect(ok.stderr).toContain(`audit: ${total} positions`);

    const db = new Database(join(dataDir, 'events.sqlite'));
    const row = db.prepare('SELECT position, id FROM events WHERE stream_name = ? AND stream_revision = 7').get(`contact-${contactIds[5]}`) as { position: number; id: string };
    db.prepare('UPDATE events SET data = substr(data, 1, 20) || substr(data, 22) WHERE position = ?').run(row.position);
    db.close();
    const broken = audit('verify');
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, firstBroken: { position: String(row.position), eventId: row.id, streamName: `contact-${contactIds[5]}` } });
  });
});
