'use strict';
/**
 * Projection catch-up: a ProjectionRunner with every projection, from position 0 on a fresh
 * SqliteReadStore, until the lowest projection position reaches the head of the log.
 */
const { randomUUID } = require('node:crypto');
const { join } = require('node:path');
const { median, round } = require('./util');

function compiledLibs(root) {
  const eventStore = require(join(root, 'dist/apps/api/libs/event-store/src/index.js'));
  const projections = require(join(root, 'dist/apps/api/libs/projections/src/index.js'));
  const domain = require(join(root, 'dist/apps/api/libs/domain/src/index.js'));
  /** The log as the API's projection thread reads it: personal data opened with the keys beside it. */
  const openLog = (file) => {
    const raw = new eventStore.SqliteEventStore(file);
    return new eventStore.PersonalDataEventStore(raw, new eventStore.PersonalDataVault(raw, domain.PERSONAL_DATA_FIELDS));
  };
  return { SqliteEventStore: eventStore.SqliteEventStore, openLog, ...projections };
}

/** Seeds `count` ContactInvited events (one new portal-access stream each), appended 1,000 at a time. */
async function seedInvitations(store, count) {
  const organizationId = randomUUID();
  const clientIds = Array.from({ length: 50 }, () => randomUUID());
  let written = 0;
  while (written < count) {
    const appends = [];
    for (let i = 0; i < 1_000 && written < count; i++, written++) {
      const contactId = randomUUID();
      const accessId = randomUUID();
      const now = new Date();
      const correlationId = randomUUID();
      appends.push(
        store.appendToStream(
          `portalAccess-${accessId}`,
          [
            {
              id: randomUUID(),
              type: 'ContactInvited',
              data: {
                accessId,
                portalId: 'default',
                contactId,
                clientId: clientIds[written % clientIds.length],
                email: `contact-${written}@example.com`,
                invitationId: randomUUID(),
                sentAt: now.toISOString(),
                expiresAt: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
              },
              metadata: {
                organizationId,
                actor: { kind: 'staff', id: 'x' },
                channel: 'api',
                correlationId,
                causationId: correlationId,
                occurredAt: now.toISOString(),
                schemaVersion: 1,
              },
            },
          ],
          { expectedRevision: 'no_stream' },
        ),
      );
    }
    await Promise.all(appends);
  }
}

/** One catch-up from zero into a fresh read store file; events/s. */
async function catchUpOnce(libs, store, readStoreFile, head, projections = libs.ALL_PROJECTIONS) {
  const { ProjectionRunner, SqliteReadStore } = libs;
  const readStore = new SqliteReadStore(readStoreFile);
  // The page size the API uses on the embedded store (PROJECTION_BATCH_SIZE unset).
  const runner = new ProjectionRunner(store, readStore, projections, { batchSize: 5000 });
  try {
    const started = process.hrtime.bigint();
    const reached = new Promise((resolve) => {
      const check = () => {
        const lowest = runner.lowestPosition();
        if (lowest !== undefined && lowest >= head) {
          unsubscribe();
          clearInterval(poll);
          resolve();
        }
      };
      const unsubscribe = runner.onProgress(check);
      const poll = setInterval(check, 5);
    });
    await runner.start();
    await reached;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { seconds: round(seconds, 3), eventsPerSecond: round(Number(head) / seconds, 0) };
  } finally {
    await runner.stop();
    await readStore.close();
  }
}

/**
 * Median of `repeats` catch-ups of the log in `eventsFile`, each into a fresh read store in
 * `dir`; up to position `limit` at most (bounds the time on a long log).
 */
async function measureCatchUp(libs, eventsFile, dir, { repeats = 3, label, limit = Infinity, perProjection = false }) {
  const store = libs.openLog(eventsFile);
  try {
    const logHead = await store.headPosition();
    const head = Number(logHead) > limit ? BigInt(limit) : logHead;
    const rounds = [];
    for (let i = 0; i < repeats; i++) {
      rounds.push(await catchUpOnce(libs, store, join(dir, `read-models-${label}-${i}.sqlite`), head));
    }
    // Each projection alone, once: what it costs by itself (it still reads every page of the log).
    const alone = {};
    if (perProjection) {
      for (const projection of libs.ALL_PROJECTIONS) {
        alone[projection.name] = (await catchUpOnce(libs, store, join(dir, `read-models-${label}-${projection.name}.sqlite`), head, [projection])).eventsPerSecond;
      }
    }
    return {
      events: Number(head),
      ...(head !== logHead ? { logHead: Number(logHead), note: `the first ${limit} positions of the log` } : {}),
      projections: libs.ALL_PROJECTIONS.map((p) => p.name),
      eventsPerSecond: median(rounds.map((r) => r.eventsPerSecond)),
      rounds,
      ...(perProjection ? { eachAloneEventsPerSecond: alone } : {}),
    };
  } finally {
    await store.close();
  }
}

module.exports = { compiledLibs, seedInvitations, measureCatchUp };
