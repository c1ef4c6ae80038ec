#!/usr/bin/env node
'use strict';
/**
 * Benchmark of the client portal API (`npm run bench` builds, then runs this).
 *
 *  1. Commands over HTTP: autocannon connections loop "add a contact, invite it" against the
 *     compiled API (child process, fresh DATA_DIR, every write fsynced before the answer).
 *  2. Baseline: a bare NestJS 11 + Fastify route (bench/bare-server.js, child process), same
 *     autocannon settings. 1 and 2 alternate, ROUNDS rounds each; medians are reported.
 *  3. Baseline: bare SQLite inserts with the event store's settings (1 and 100 rows per commit).
 *  4. Durability: a last command run during which the API is killed with SIGKILL; every write
 *     acknowledged in any run must be in DATA_DIR/events.sqlite.
 *  5. Projection catch-up from zero: on seeded ContactInvited events and on the run's own log.
 *  6. Audit (bench/lib/audit-history.js): a generated history of BENCH_AUDIT_EVENTS (1,000,000)
 *     events; time and peak RSS of the audit CLI's export (JSONL) and verify, and of an as-of
 *     query on a 10,000-event stream.
 *
 * Prints one JSON document on stdout; progress on stderr. Settings (environment):
 *   BENCH_CONNECTIONS (32), BENCH_SECONDS (8), BENCH_ROUNDS (3), BENCH_WARMUP_SECONDS (5),
 *   BENCH_SEED_EVENTS (50000), BENCH_SQLITE_SECONDS (2), BENCH_CPU_PROF=<dir>: sample the API's
 *   main thread (preload bench/lib/cpu-profile-preload.js) during the first round of commands,
 *   write <dir>/api-<pid>.cpuprofile and add a summary of the hot spots to the report (the
 *   sampler costs throughput: do not compare a profiled run's figures with an unprofiled one's).
 *   `node bench/lib/profile-summary.js <file> [top]` summarizes any .cpuprofile.
 *   BENCH_OUTPUT=<file>: also write the JSON there (`npm run bench` prints npm's own banner
 *   lines on stdout too; `npm run -s bench` does not).
 *
 * Exit code 1 when a check fails (a non-2xx answer, a client error, an acknowledged write that
 * is not in the log); the JSON is printed in any case.
 */
const os = require('node:os');
const { existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const Database = require('better-sqlite3');
const { Resources, killChild, log, median, round, sleep } = require('./lib/util');
const http = require('./lib/http-load');
const { sqliteBaseline } = require('./lib/sqlite-baseline');
const { compiledLibs, measureCatchUp, seedInvitations } = require('./lib/projection-catchup');
const { summarizeProfile } = require('./lib/profile-summary');
const { startLagSampler } = require('./lib/lag-sampler');
const { auditHistory } = require('./lib/audit-history');

const ROOT = resolve(__dirname, '..');
const int = (name, fallback) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const SETTINGS = {
  connections: int('BENCH_CONNECTIONS', 32),
  secondsPerRound: int('BENCH_SECONDS', 8),
  rounds: int('BENCH_ROUNDS', 3),
  warmupSeconds: int('BENCH_WARMUP_SECONDS', 5),
  clients: 8,
  seedEvents: int('BENCH_SEED_EVENTS', 50_000),
  sqliteSeconds: int('BENCH_SQLITE_SECONDS', 2),
  sqliteRepeats: 3,
  catchUpRepeats: 3,
  durabilityKillAfterMs: 2_000,
};
const CPU_PROFILE_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const API_KEY = 'bench-api-key-0123456789abcdef';

const resources = new Resources();
process.on('exit', () => resources.releaseAll());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    log(`${signal}: cleaning up`);
    resources.releaseAll();
    process.exit(130);
  });
}

async function main() {
  const started = Date.now();
  const entry = join(ROOT, 'dist/apps/api/apps/api/src/main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const work = resources.tempDir('cps-bench-');
  const dataDir = join(work, 'api-data');

  // --- SQLite baseline first, on a quiet machine -------------------------------------------
  log(`SQLite baseline (${SETTINGS.sqliteSeconds} s x ${SETTINGS.sqliteRepeats} per mode)`);
  const sqliteDir = join(work, 'sqlite');
  mkdirSync(sqliteDir);
  const sqlite = await sqliteBaseline(sqliteDir, { seconds: SETTINGS.sqliteSeconds, repeats: SETTINGS.sqliteRepeats });
  resources.removeDir(sqliteDir);
  log(`  1 row/commit: ${sqlite.oneRowPerTransaction.commitsPerSecond} commits/s; 100 rows/commit: ${sqlite.hundredRowsPerTransaction.rowsPerSecond} rows/s`);

  // --- Servers ----------------------------------------------------------------------------------
  log('Starting the API and the bare server');
  if (CPU_PROFILE_DIR) mkdirSync(CPU_PROFILE_DIR, { recursive: true });
  const api = await http.startApi(resources, {
    root: ROOT,
    dataDir,
    apiKey: API_KEY,
    nodeArgs: CPU_PROFILE_DIR ? ['-r', join(__dirname, 'lib/cpu-profile-preload.js')] : [],
    // The run invites far more than a portal's default 3,000 users; the limit itself is tested elsewhere.
    env: { MAX_USERS_PER_PORTAL: '10000000', ...(CPU_PROFILE_DIR ? { BENCH_CPU_PROF_DIR: CPU_PROFILE_DIR } : {}) },
    ipc: Boolean(CPU_PROFILE_DIR),
  });
  let apiKilledOnPurpose = false;
  api.child.once('exit', (code, signal) => {
    if (!apiKilledOnPurpose) log(`The API exited unexpectedly (${code ?? signal}):\n${api.child.stderrTail}`);
  });
  const bare = await http.startBare(resources, { benchDir: __dirname });
  const clientIds = [];
  for (let i = 0; i < SETTINGS.clients; i++) {
    clientIds.push((await http.post(api.url, '/v1/clients', API_KEY, { name: `Bench Client ${i + 1}` })).id);
  }

  const acks = { contacts: [], invites: [], autocannon2xx: 0 };
  /** One load of a command workload: `invite` (add a contact, invite it) or `contact` (add a contact). */
  const commands = async (seconds, { workload = 'invite', connections = SETTINGS.connections, during } = {}) => {
    const tracker = http.newTracker(workload === 'invite' ? ['addContact', 'invite'] : ['addContact']);
    const requests = (workload === 'invite' ? http.commandRequests : http.contactRequests)({ apiKey: API_KEY, clientIds, tracker });
    const run = await http.runLoad({ url: api.url, connections, seconds, requests, tracker, during, serverPid: api.child.pid });
    acks.contacts.push(...tracker.acks.contacts);
    acks.invites.push(...tracker.acks.invites);
    acks.autocannon2xx += run.result['2xx'];
    return http.summarize(run);
  };
  const bareLoad = async (seconds) => {
    const tracker = http.newTracker(['bare']);
    const run = await http.runLoad({
      url: bare.url,
      connections: SETTINGS.connections,
      seconds,
      requests: http.bareRequests({ apiKey: API_KEY, tracker }),
      tracker,
      serverPid: bare.child.pid,
    });
    return http.summarize(run);
  };
  // Between loads the API finishes projecting, and then its other work after the commits (the
  // invitation emails composed and written by the reactor and the outbox), so that none of it
  // steals CPU from the next load: it counts as the load's own (quietAfterLoadMs).
  const quietMs = [];
  const drained = async () => {
    const { ms } = await http.waitForProjections(api.url, API_KEY);
    quietMs.push(await http.waitUntilQuiet(api.child.pid));
    return ms;
  };

  // --- Warm-up (not counted, except its acknowledged writes for the durability check) ----------
  log(`Warm-up: ${SETTINGS.warmupSeconds} s each`);
  await commands(SETTINGS.warmupSeconds);
  await drained();
  await bareLoad(SETTINGS.warmupSeconds);

  // --- Alternating rounds: bare route, add contact (32 and 1 connections), add + invite -----------
  const rounds = { bare: [], contact32: [], contact1: [], invite32: [] };
  const lagUnderLoad = [];
  const drainMs = [];
  let profileFile;
  for (let round_ = 1; round_ <= SETTINGS.rounds; round_++) {
    const b = await bareLoad(SETTINGS.secondsPerRound);
    rounds.bare.push(b);
    log(`round ${round_} bare: ${b.requestsPerSecond} req/s, p99 ${b.latencyMs.p99} ms`);
    const c32 = await commands(SETTINGS.secondsPerRound, { workload: 'contact' });
    rounds.contact32.push(c32);
    drainMs.push(await drained());
    log(`round ${round_} add contact x${SETTINGS.connections}: ${c32.requestsPerSecond} req/s, p50 ${c32.latencyMs.p50} ms, p99 ${c32.latencyMs.p99} ms`);
    const c1 = await commands(SETTINGS.secondsPerRound, { workload: 'contact', connections: 1 });
    rounds.contact1.push(c1);
    drainMs.push(await drained());
    log(`round ${round_} add contact x1: ${c1.requestsPerSecond} req/s, p50 ${c1.latencyMs.p50} ms, p99 ${c1.latencyMs.p99} ms`);
    // Profiled: the sampler runs during the first round of the add + invite workload only.
    if (CPU_PROFILE_DIR && round_ === 1) api.child.send('cpu-profile:start');
    const sampler = startLagSampler(api.url, API_KEY);
    const i32 = await commands(SETTINGS.secondsPerRound);
    lagUnderLoad.push(await sampler.stop());
    if (CPU_PROFILE_DIR && round_ === 1) {
      api.child.send('cpu-profile:stop');
      profileFile = join(CPU_PROFILE_DIR, `api-${api.child.pid}.cpuprofile`);
    }
    rounds.invite32.push(i32);
    drainMs.push(await drained());
    log(`round ${round_} add + invite x${SETTINGS.connections}: ${i32.requestsPerSecond} req/s, p99 ${i32.latencyMs.p99} ms; projection lag p99 ${lagUnderLoad.at(-1).seconds.p99} s; the API quiet again ${quietMs.at(-1)} ms after the load`);
  }
  await killChild(bare.child, 'SIGTERM');

  let cpuProfile;
  if (profileFile) {
    for (let i = 0; i < 300 && !existsSync(profileFile); i++) await sleep(100);
    cpuProfile = { file: profileFile, window: 'API main thread, first round of add + invite', note: 'profiled run: the sampler slows the API down', ...summarizeProfile(profileFile) };
    log(`CPU profile: ${profileFile}`);
  }

  // --- Durability: SIGKILL under load ----------------------------------------------------------
  log(`Durability: command load, SIGKILL of the API after ${SETTINGS.durabilityKillAfterMs} ms`);
  const underKill = await commands(4, { during: (instance) => {
    setTimeout(() => {
      apiKilledOnPurpose = true;
      api.child.kill('SIGKILL');
      instance.stop(); // autocannon stops at its next one-second tick
    }, SETTINGS.durabilityKillAfterMs);
  } });
  await api.child.exited;
  const durability = checkDurability(join(dataDir, 'events.sqlite'), acks);
  durability.killedUnderLoad = { signal: 'SIGKILL', afterMs: SETTINGS.durabilityKillAfterMs, acknowledgedBeforeKill: underKill.ok2xx, errorsAfterKill: underKill.errors };
  log(`  acknowledged ${durability.acknowledged.total}, found ${durability.found.total}, missing ${durability.missing.total}`);

  // --- Projection catch-up ---------------------------------------------------------------------
  const libs = compiledLibs(ROOT);
  const catchUpDir = join(work, 'catch-up');
  mkdirSync(catchUpDir);
  log(`Projection catch-up: seeding ${SETTINGS.seedEvents} ContactInvited events`);
  const seededFile = join(catchUpDir, 'seeded-events.sqlite');
  const seedStore = new libs.SqliteEventStore(seededFile);
  const seedStarted = Date.now();
  await seedInvitations(seedStore, SETTINGS.seedEvents);
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  await seedStore.close();
  const seeded = await measureCatchUp(libs, seededFile, catchUpDir, { repeats: SETTINGS.catchUpRepeats, label: 'seeded', perProjection: true });
  seeded.seeding = { seconds: round(seedSeconds, 2), appendsPerSecond: round(SETTINGS.seedEvents / seedSeconds, 0), appendsPerTransaction: 1000 };
  log(`  seeded log: ${seeded.eventsPerSecond} events/s`);
  // The run's own log (clients, contacts, invitations), reopened after the kill.
  const runLog = await measureCatchUp(libs, join(dataDir, 'events.sqlite'), catchUpDir, {
    repeats: SETTINGS.catchUpRepeats,
    label: 'run',
    limit: SETTINGS.seedEvents,
    perProjection: true,
  });
  log(`  the run's log: ${runLog.eventsPerSecond} events/s`);

  // --- Audit: export, verify and as-of on a generated history (BENCH_AUDIT_EVENTS, 1,000,000) ---
  log('audit history...');
  const audit = await auditHistory(int('BENCH_AUDIT_EVENTS', 1_000_000), log);

  // --- Report ----------------------------------------------------------------------------------
  const medians = Object.fromEntries(Object.entries(rounds).map(([name, list]) => [name, medianOfRounds(list)]));
  const ratioOf = (name) => {
    const perRound = rounds[name].map((r, i) => round(r.requestsPerSecond / rounds.bare[i].requestsPerSecond, 3));
    return { medianOfRounds: round(median(perRound), 3), perRound };
  };
  const lagP99 = median(lagUnderLoad.map((l) => l.seconds.p99));
  const all = Object.values(rounds).flat();
  const non2xxTotal = sum(all, 'non2xx');
  const errorsTotal = sum(all, 'errors');
  const atLeast = (value, target) => ({ value, target: `>= ${target}`, meetsTarget: value !== null && value >= target });
  const atMost = (value, target) => ({ value, target: `<= ${target}`, meetsTarget: value !== null && value <= target });
  const table = {
    createContact32PerBare: atLeast(ratioOf('contact32').medianOfRounds, 0.25),
    createInvite32PerBare: atLeast(ratioOf('invite32').medianOfRounds, 0.15),
    createContact1RequestsPerSecond: atLeast(medians.contact1.requestsPerSecond, 1500),
    createContact32P99Ms: atMost(medians.contact32.latencyMs.p99, 20),
    createInvite32P99Ms: { value: medians.invite32.latencyMs.p99 },
    catchUpAllProjectionsEventsPerSecond: atLeast(seeded.eventsPerSecond, 50_000),
    projectionLagUnderLoadP99Seconds: atMost(lagP99, 1),
    acknowledgedWritesLostUnderKill9: atMost(durability.missing.total, 0),
  };
  const checks = { non2xxIsZero: non2xxTotal === 0, noClientErrors: errorsTotal === 0, everyAcknowledgedWriteDurable: durability.ok };
  const report = {
    benchmark: 'client-portal-service API',
    timestamp: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      totalMemoryGiB: round(os.totalmem() / 2 ** 30, 1),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
      loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)),
    },
    settings: { ...SETTINGS, tool: 'autocannon 8 (in the bench process), pipelining 1; servers are child processes on 127.0.0.1' },
    table,
    http: {
      workloads: {
        bare: 'POST /bare (NestJS 11 + FastifyAdapter, JSON body of the same size, no validation, no storage)',
        contact32: `POST /v1/clients/:id/contacts (unique email), ${SETTINGS.connections} connections; every write fsynced before the answer`,
        contact1: 'the same, 1 connection (latency-bound: one durable commit per request)',
        invite32: `per connection: add a contact, then POST /v1/contacts/:id/portal-access/invite; ${SETTINGS.connections} connections`,
      },
      medians,
      ratios: { contact32: ratioOf('contact32'), invite32: ratioOf('invite32'), contact1: ratioOf('contact1') },
      rounds,
      projectionLagUnderLoad: { note: 'sampled every 100 ms from /health during each add + invite round', rounds: lagUnderLoad, medianOfRoundP99Seconds: lagP99 },
      projectionsCaughtUpAfterLoadMs: drainMs,
      quietAfterLoadMs: quietMs,
      medianNote: 'each figure is the median of that figure over the rounds; non2xx and errors are sums',
      non2xxTotal,
      errorsTotal,
    },
    sqliteBaseline: sqlite,
    durability: durability,
    projectionCatchUp: { seededInvitations: seeded, runLog },
    audit,
    cpuProfile,
    checks,
    elapsedSeconds: round((Date.now() - started) / 1000, 1),
  };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  process.stdout.write(json);
  if (process.env.BENCH_OUTPUT) writeFileSync(resolve(process.env.BENCH_OUTPUT), json);
  if (!Object.values(checks).every(Boolean)) {
    log(`CHECK FAILED: ${JSON.stringify(checks)}`);
    process.exitCode = 1;
  }
}

/** Every acknowledged add-contact and invite must be an event in the log. */
function checkDurability(file, acks) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT type, json_extract(data, '$.contactId') AS contact_id FROM events WHERE type IN ('ContactAdded', 'ContactInvited')")
      .all();
    const added = new Set();
    const invited = new Set();
    for (const row of rows) {
      if (row.type === 'ContactAdded') added.add(row.contact_id);
      else invited.add(row.contact_id);
    }
    const missingContacts = acks.contacts.filter((id) => !added.has(id)).length;
    const missingInvites = acks.invites.filter((id) => !invited.has(id)).length;
    const acknowledged = {
      ContactAdded: acks.contacts.length,
      ContactInvited: acks.invites.length,
      total: acks.contacts.length + acks.invites.length,
      autocannon2xx: acks.autocannon2xx, // the same count, as autocannon saw it
    };
    const found = { ContactAdded: added.size, ContactInvited: invited.size, total: added.size + invited.size };
    return {
      file: 'DATA_DIR/events.sqlite, opened read-only after SIGKILL',
      scope: 'every 2xx add-contact and invite of all command runs (warm-up, rounds, the run killed under load), matched by contact id',
      acknowledged,
      found,
      missing: { ContactAdded: missingContacts, ContactInvited: missingInvites, total: missingContacts + missingInvites },
      countsAgree: acknowledged.total === acks.autocannon2xx,
      ok: missingContacts + missingInvites === 0 && found.total >= acknowledged.total,
    };
  } finally {
    db.close();
  }
}

function medianOfRounds(rounds) {
  const pick = (f) => median(rounds.map(f));
  const latency = {};
  for (const key of Object.keys(rounds[0].latencyMs)) latency[key] = round(pick((r) => r.latencyMs[key]), 3);
  const routes = {};
  for (const name of Object.keys(rounds[0].routes)) {
    routes[name] = {
      perSecond: round(pick((r) => r.routes[name].perSecond), 0),
      latencyMs: {
        p50: round(pick((r) => r.routes[name].latencyMs.p50), 3),
        p99: round(pick((r) => r.routes[name].latencyMs.p99), 3),
        p99_9: round(pick((r) => r.routes[name].latencyMs.p99_9), 3),
      },
    };
  }
  return {
    requestsPerSecond: round(pick((r) => r.requestsPerSecond), 0),
    latencyMs: latency,
    non2xx: sum(rounds, 'non2xx'),
    errors: sum(rounds, 'errors'),
    routes,
  };
}

const sum = (rows, key) => rows.reduce((total, row) => total + (row[key] || 0), 0);

main()
  .catch((error) => {
    log(`FAILED: ${error && error.stack ? error.stack : error}`);
    process.exitCode = 1;
  })
  .finally(() => {
    resources.releaseAll();
    // autocannon or a straggling handle must not keep the process alive.
    setTimeout(() => process.exit(), 200).unref();
  });

