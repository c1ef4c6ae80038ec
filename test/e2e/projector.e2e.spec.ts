import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EventToAppend, SqliteEventStore } from '../../libs/event-store/src';
import { ALL_PROJECTIONS, AUDIT_LOG_COLLECTION, SqliteReadStore } from '../../libs/projections/src';
import { removeDataDir, tempDataDir } from '../support/app';

const MAIN = join(__dirname, '../../dist/apps/projector/apps/projector/src/main.js');

interface Projector {
  child: ChildProcess;
  output: () => string;
  /** Resolves once a line matching the pattern was logged. */
  logged(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

/** The built projector as a process of its own, on the embedded store of `dataDir`. */
function startProjector(dataDir: string, args: string[] = []): Projector {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, DATA_DIR: dataDir, PROJECTION_BATCH_SIZE: '50', PROJECTION_LEASE_SECONDS: '10' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const check of [...waiters]) check();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    logged: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`not logged in time: ${pattern}\n${output}`));
        }, timeoutMs);
        const check = () => {
          const match = pattern.exec(output);
          if (!match) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(match);
        };
        waiters.add(check);
        check();
      }),
  };
}

function noted(i: number): EventToAppend {
  return {
    id: randomUUID(),
    type: 'LoadNoted',
    data: { n: i },
    metadata: {
      organizationId: 'org-load',
      actor: { kind: 'system', id: 'load' },
      channel: 'system',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
    },
  };
}

const describeBuilt = existsSync(MAIN) ? describe : describe.skip;
if (!existsSync(MAIN)) console.warn(`SKIPPED projector (e2e): ${MAIN} is not built; run "npm run build" (npm test does)`);

/**
 * Several projectors on one store, as separate processes: one killed with kill -9 in the middle
 * of catching up is replaced at once by the next (its process has ended), which resumes from the
 * checkpoints to exactly the rows a single run makes; a rebuild asked of a projector that does
 * not run the projection is done by the one that does.
 */
describeBuilt('projector (e2e, separate processes)', () => {
  it('survives a kill -9 mid-batch, and rebuilds at the request of another instance', async () => {
    const dataDir = tempDataDir();
    const running: Projector[] = [];
    try {
      const events = new SqliteEventStore(join(dataDir, 'events.sqlite'));
      const appends = [];
      for (let stream = 0; stream < 200; stream++) {
        appends.push(events.appendToStream(`load-${stream}`, Array.from({ length: 100 }, (_, i) => noted(stream * 100 + i)), { expectedRevision: 'no_stream' }));
      }
      await Promise.all(appends);
      const head = await events.headPosition();
      await events.close();
      const readStore = new SqliteReadStore(join(dataDir, 'read-models.sqlite'));
      const checkpoints = async () => Promise.all(ALL_PROJECTIONS.map(async (p) => (await readStore.getCheckpoint(p.name)) ?? 0n));

      // The first one is killed while catching up, in the middle of its pages.
      const first = startProjector(dataDir);
      running.push(first);
      await first.logged(/started as /);
      while ((await checkpoints()).every((c) => c < 2_000n)) await new Promise((resolve) => setTimeout(resolve, 5));
      first.child.kill('SIGKILL');
      await first.exited;
      const reachedBefore = await checkpoints();
      expect(reachedBefore.some((c) => c < head)).toBe(true);

      // The next one takes every projection at once (no waiting for the lease to expire) and finishes.
      const takenAt = Date.now();
      const second = startProjector(dataDir);
      running.push(second);
      const [, holder] = await second.logged(/started as ([^;\s]+);/);
      expect(second.output()).toMatch(/running here \(\S+\): portal_status_v1 from position/);
      expect(Date.now() - takenAt).toBeLessThan(10_000);
      while ((await checkpoints()).some((c) => c < head)) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(new Set((await readStore.leases()).map((lease) => lease.holder))).toEqual(new Set([holder]));
      const auditRows = await readStore.find(AUDIT_LOG_COLLECTION, { where: { organizationId: 'org-load' }, limit: 100_000 });
      expect(auditRows).toHaveLength(20_000);
      expect(new Set(auditRows.map((row) => row.eventId)).size).toBe(20_000);

      // A third one, asked to rebuild, hands the request to the second, which rebuilds beside the live generation.
      const third = startProjector(dataDir, ['--rebuild=audit_v1']);
      running.push(third);
      await third.logged(/audit_v1 is run by another instance: it rebuilds it/);
      await second.logged(/rebuilding audit_v1: generation 1 is built from position 0/);
      await third.logged(/rebuild of audit_v1 finished: generation 1 is live/);
      await second.logged(/rebuilt audit_v1: generation 1 is live/);
      expect(await readStore.find(AUDIT_LOG_COLLECTION, { where: { organizationId: 'org-load' }, limit: 100_000 })).toEqual(auditRows);

      // A clean stop lets the leases go.
      for (const projector of [third, second]) projector.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(await third.exited).toBe(0);
      expect((await readStore.leases()).every((lease) => lease.expired)).toBe(true);
      await readStore.close();
    } finally {
      for (const projector of running) projector.child.kill('SIGKILL');
      removeDataDir(dataDir);
    }
  }, 120_000);
});
