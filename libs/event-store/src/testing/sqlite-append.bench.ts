/**
 * Append throughput of the SQLite store (fsync per commit, group commit). Not a test:
 *
 *   node -r ./libs/event-store/src/testing/register-ts.js libs/event-store/src/testing/sqlite-append.bench.ts [dir]
 *
 * For each concurrency C, C writers append in a closed loop (append, await, next) for a few
 * seconds, each append one event to a new stream with no_stream, as a command creating an
 * aggregate would. Prints appends/s and how many appends one transaction gathered.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../adapters/sqlite/sqlite.event-store';
import { EventToAppend } from '../event-store';

const SECONDS = 3;

function anEvent(): EventToAppend {
  return {
    id: randomUUID(),
    type: 'PortalAccessInvited',
    data: { contactId: randomUUID(), portalId: randomUUID(), email: 'someone@example.com', language: 'en' },
    metadata: {
      organizationId: randomUUID(),
      actor: { kind: 'staff', id: randomUUID() },
      channel: 'api',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
    },
  };
}

async function run(dir: string, concurrency: number): Promise<void> {
  const store = new SqliteEventStore(join(dir, `bench-${concurrency}.sqlite`));
  const deadline = Date.now() + SECONDS * 1000;
  let appends = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        await store.appendToStream(`bench-${randomUUID()}`, [anEvent()], { expectedRevision: 'no_stream' });
        appends += 1;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stats = store.stats();
  await store.close();
  const perSecond = Math.round(appends / seconds);
  const perTransaction = (stats.appends / stats.transactions).toFixed(1);
  const commits = Math.round(stats.transactions / seconds);
  console.log(
    `concurrency ${String(concurrency).padStart(5)}: ${String(perSecond).padStart(7)} appends/s, ` +
      `${String(commits).padStart(6)} commits/s, ${perTransaction.padStart(6)} appends per transaction`,
  );
}

async function main(): Promise<void> {
  const base = process.argv[2] ?? tmpdir();
  const dir = mkdtempSync(join(base, 'sqlite-bench-'));
  try {
    for (const concurrency of [1, 10, 100, 1000]) await run(dir, concurrency);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
