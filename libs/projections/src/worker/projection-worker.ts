import { parentPort, workerData } from 'node:worker_threads';
import { PersonalDataEventStore, PersonalDataVault, SqliteEventStore } from '@app/event-store';
import { PERSONAL_DATA_FIELDS } from '@app/domain';
import { SqliteReadStore } from '../read-store/sqlite.read-store';
import { ProjectionRunner, ProjectionStatus, RebuildOutcome } from '../projection-runner';
import { ALL_PROJECTIONS } from '../index';

/**
 * The projection thread of the embedded store: reads the log (its own connection) and writes
 * the read models (its own connection), so that neither the reading and parsing of pages nor
 * the read-model transactions ever hold the request thread. It reports every page applied.
 */
export interface ProjectionWorkerData {
  eventsFile: string;
  readStoreFile: string;
  batchSize?: number;
  /** The runner's name in the leases: the same for every thread the host side starts, so a restarted thread renews them. */
  holder: string;
  leaseTtlMs?: number;
}

export type ProjectionWorkerRequest = { type: 'rebuild'; requestId: number; name: string } | { type: 'appended' } | { type: 'stop' };
export type ProjectionWorkerReply =
  | { type: 'progress'; statuses: ProjectionStatus[] }
  | { type: 'started' }
  | { type: 'rebuilt'; requestId: number; outcome: RebuildOutcome | null; error: string | null }
  | { type: 'log'; level: 'log' | 'error'; message: string; stack?: string }
  | { type: 'stopped' };

if (parentPort) {
  const port = parentPort;
  const { eventsFile, readStoreFile, batchSize, holder, leaseTtlMs } = workerData as ProjectionWorkerData;
  const post = (reply: ProjectionWorkerReply) => port.postMessage(reply);
  const log = new SqliteEventStore(eventsFile);
  // Events read opened (or `[erased]`), with the keys kept beside the log.
  const events = Object.assign(new PersonalDataEventStore(log, new PersonalDataVault(log, PERSONAL_DATA_FIELDS)), { wake: () => log.wake() });
  const readStore = new SqliteReadStore(readStoreFile, { warn: (message) => post({ type: 'log', level: 'error', message }) });
  const runner = new ProjectionRunner(events, readStore, ALL_PROJECTIONS, {
    batchSize,
    holder,
    leaseTtlMs,
    logger: {
      log: (message) => post({ type: 'log', level: 'log', message }),
      error: (message, error) => post({ type: 'log', level: 'error', message, stack: error instanceof Error ? error.stack : String(error) }),
    },
  });
  // One message per applied page at most: the request thread's waiters read these positions.
  let reported = false;
  runner.onProgress(() => {
    if (reported) return;
    reported = true;
    queueMicrotask(() => {
      reported = false;
      post({ type: 'progress', statuses: runner.status() });
    });
  });
  port.on('message', (request: ProjectionWorkerRequest) => {
    if (request.type === 'appended') return events.wake();
    if (request.type === 'rebuild') {
      runner.rebuild(request.name).then(
        (outcome) => {
          // The statuses first: the answer to the request already shows the rebuild.
          post({ type: 'progress', statuses: runner.status() });
          post({ type: 'rebuilt', requestId: request.requestId, outcome, error: null });
        },
        (error: unknown) => post({ type: 'rebuilt', requestId: request.requestId, outcome: null, error: error instanceof Error ? error.message : String(error) }),
      );
      return;
    }
    void (async () => {
      await runner.stop();
      await readStore.close();
      await events.close();
      post({ type: 'stopped' });
      port.close();
    })();
  });
  runner.start().then(
    () => {
      post({ type: 'started' });
      post({ type: 'progress', statuses: runner.status() });
    },
    (error: unknown) => {
      post({ type: 'log', level: 'error', message: 'The projections could not start', stack: error instanceof Error ? error.stack : String(error) });
      process.exit(1);
    },
  );
}
