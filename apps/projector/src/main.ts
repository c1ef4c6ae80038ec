import { createEventStore } from '@app/event-store';
import { createKeyValueStore } from '@app/credentials';
import { PERSONAL_DATA_FIELDS } from '@app/domain';
import { ALL_PROJECTIONS, createReadStore, ProjectionRunner } from '@app/projections';

/**
 * The projection worker for production: subscribes to the event store (EventStoreDB) and
 * writes the read models (MongoDB) with the same projection code the API runs in-process on
 * the embedded default. Several instances may run: every write is idempotent.
 */
async function main(): Promise<void> {
  process.umask(0o077); // files it creates (embedded stores) hold personal data: private, as the API's
  const dataDir = process.env.DATA_DIR || './data';
  // Personal data is decrypted with the keys of the service's key-value store (erased: `[erased]`).
  const keys = await createKeyValueStore({ mongoUrl: process.env.MONGO_URL || undefined, dataDir });
  const events = await createEventStore({ eventStoreUrl: process.env.EVENTSTORE_URL || undefined, dataDir, personalData: { fields: PERSONAL_DATA_FIELDS, keyValueStore: keys } });
  const readStore = await createReadStore({ mongoUrl: process.env.MONGO_URL || undefined, dataDir });
  const log = (message: string) => console.log(`${new Date().toISOString()} [projector] ${message}`);
  const runner = new ProjectionRunner(events, readStore, ALL_PROJECTIONS, {
    logger: { log, error: (message, error) => console.error(`${new Date().toISOString()} [projector] ${message}`, error) },
  });

  const rebuild = process.argv.find((arg) => arg.startsWith('--rebuild='))?.slice('--rebuild='.length);
  await runner.start();
  if (rebuild) {
    await runner.rebuild(rebuild);
    log(`rebuilding ${rebuild} from position 0`);
  }
  log(`running ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping after the current batch`);
    await runner.stop();
    await readStore.close();
    await events.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
