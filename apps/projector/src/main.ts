import { createEventStore } from '@app/event-store';
import { createKeyValueStore } from '@app/credentials';
import { PERSONAL_DATA_FIELDS } from '@app/domain';
import { ALL_PROJECTIONS, createReadStore, ProjectionRunner, ReadStore } from '@app/projections';
import { stopOnSignals } from '@app/lifecycle';

/**
 * The projection worker for production: subscribes to the event store (EventStoreDB) and
 * writes the read models (MongoDB) with the same projection code the API runs in-process on
 * the embedded default. Several instances may run: each projection is run by the one instance
 * that holds its lease (another takes over within seconds when it dies), and the read store
 * refuses a deposed instance's writes.
 *
 * `--rebuild=<projection>` rebuilds one projection into a new generation beside the live one,
 * which keeps answering queries until the new one has caught up and replaces it: here if this
 * instance holds the projection, else by the instance that does. Progress is logged, and the
 * end.
 */
async function main(): Promise<void> {
  const rebuild = process.argv.find((arg) => arg.startsWith('--rebuild='))?.slice('--rebuild='.length);
  if (rebuild !== undefined && !ALL_PROJECTIONS.some((p) => p.name === rebuild)) {
    throw new Error(`--rebuild=${rebuild}: no such projection (${ALL_PROJECTIONS.map((p) => p.name).join(', ')})`);
  }
  process.umask(0o077); // files it creates (embedded stores) hold personal data: private, as the API's
  const dataDir = process.env.DATA_DIR || './data';
  // Personal data is decrypted with the keys of the service's key-value store (erased: `[erased]`).
  const keys = await createKeyValueStore({ mongoUrl: process.env.MONGO_URL || undefined, dataDir });
  const events = await createEventStore({ eventStoreUrl: process.env.EVENTSTORE_URL || undefined, dataDir, personalData: { fields: PERSONAL_DATA_FIELDS, keyValueStore: keys } });
  const log = (message: string) => console.log(`${new Date().toISOString()} [projector] ${message}`);
  const readStore = await createReadStore({ mongoUrl: process.env.MONGO_URL || undefined, dataDir, warn: log });
  const runner = new ProjectionRunner(events, readStore, ALL_PROJECTIONS, {
    leaseTtlMs: count('PROJECTION_LEASE_SECONDS', 10) * 1000,
    batchSize: count('PROJECTION_BATCH_SIZE', process.env.MONGO_URL ? 1000 : 5000), // as the API
    logger: { log, error: (message, error) => console.error(`${new Date().toISOString()} [projector] ${message}`, error) },
  });

  await runner.start();
  log(`started as ${runner.holder}; projections: ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`);
  if (rebuild) void followRebuild(runner, readStore, rebuild, log);

  // The process lives until a signal, also while another instance runs every projection (this
  // one then only waits, to take over).
  const alive = setInterval(() => undefined, 60_000);
  stopOnSignals({
    timeoutMs: count('SHUTDOWN_TIMEOUT_SECONDS', 10) * 1000,
    stop: async () => {
      clearInterval(alive);
      log('stopping after the current batch, and letting the leases go');
      await runner.stop();
      await readStore.close();
      await events.close();
      await keys.close();
    },
    log,
    error: (message) => console.error(`${new Date().toISOString()} [projector] ${message}`),
  });
}

/** Starts (or requests) the rebuild, then says when the new generation is live, wherever it was built. */
async function followRebuild(runner: ProjectionRunner, readStore: ReadStore, name: string, log: (message: string) => void): Promise<void> {
  const before = (await readStore.generations(name)).live;
  const outcome = await runner.rebuild(name);
  if (outcome.started) log(`rebuilding ${name} here: generation ${outcome.generation}, beside the live generation ${before}`);
  else if (outcome.reason === 'already-rebuilding') log(`${name} is already being rebuilt here`);
  else log(`${name} is run by another instance: it rebuilds it (its progress is in its log)`);
  for (;;) {
    const generations = await readStore.generations(name);
    if (generations.live !== before && generations.building === null) {
      log(`rebuild of ${name} finished: generation ${generations.live} is live`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
  }
}

/** PROJECTION_LEASE_SECONDS, PROJECTION_BATCH_SIZE and SHUTDOWN_TIMEOUT_SECONDS, as the API reads them: whole numbers, at least 1. */
function count(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return Math.max(value, 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
