'use strict';
/**
 * Audit figures on a generated history (`npm run bench`, or alone: node bench/lib/audit-history.js):
 * a log of BENCH_AUDIT_EVENTS events (default 1,000,000: 9,900 streams of ~100 events and one
 * stream of 10,000) written through the SQLite event store (hash chain included, personal data
 * sealed, anchored), then, each in its own child process of the audit CLI: export (JSONL, to
 * /dev/null), verify (which must find every event and anchor intact), and an as-of query on the
 * 10,000-event stream: time and peak RSS, and the growth over the CLI's own baseline (the peak
 * of a run that does no work). Aim: export and verify under 30 s, growth under 100 MB.
 * BENCH_AUDIT_DIR keeps the generated history there for the next run.
 */
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync, openSync, closeSync, existsSync, writeFileSync, readFileSync, mkdirSync } = require('node:fs');
const { tmpdir, loadavg } = require('node:os');
const { join, resolve } = require('node:path');
const { randomUUID } = require('node:crypto');

const ROOT = resolve(__dirname, '..', '..');

/**
 * Writes the history as the service would: personal data (names, emails, phones) sealed under a
 * key per contact, and the log anchored every ANCHOR_EVERY events (the service anchors every
 * AUDIT_ANCHOR_INTERVAL_SECONDS; a busy log, or one never anchored, has more events between two
 * anchors than the verifier's window of 100,000), so that export decrypts and verify checks
 * anchors and keeps its window.
 */
const ANCHOR_EVERY = 250_000;
/** What a kept history holds (BENCH_AUDIT_DIR): another shape is generated again. */
const SHAPE = `personal data sealed, anchored every ${ANCHOR_EVERY} events`;

async function generate(file, total) {
  require(join(ROOT, 'libs/event-store/src/testing/register-ts.js'));
  const { SqliteEventStore, PersonalDataEventStore, PersonalDataVault, LogAnchorer, anchorStreamName, ANCHOR_EVENT_TYPE } = require(join(ROOT, 'libs/event-store/src/index.ts'));
  const { PERSONAL_DATA_FIELDS } = require(join(ROOT, 'libs/domain/src/personal-data.ts'));
  const log = new SqliteEventStore(file, { maxAppendsPerTransaction: 100 });
  const store = new PersonalDataEventStore(log, new PersonalDataVault(log, PERSONAL_DATA_FIELDS));
  const organizationId = randomUUID();
  const metadata = () => ({ organizationId, actor: { kind: 'staff', id: 'bench' }, channel: 'api', correlationId: randomUUID(), causationId: randomUUID(), occurredAt: new Date().toISOString(), schemaVersion: 1 });
  const longId = randomUUID();
  const longCount = Math.min(10_000, Math.floor(total / 10));
  const streams = [{ name: `contact-${longId}`, id: longId, left: longCount, revision: -1n }];
  const perStream = 100;
  for (let written = longCount; written < total; written += perStream) {
    const id = randomUUID();
    streams.push({ name: `contact-${id}`, id, left: Math.min(perStream, total - written), revision: -1n });
  }
  const anchorStream = anchorStreamName(randomUUID());
  const anchorer = new LogAnchorer(log, anchorStream);
  let anchors = 0;
  async function anchor() {
    const next = await anchorer.next();
    if (!next) return;
    await log.appendToStream(anchorStream, [{ id: randomUUID(), type: ANCHOR_EVENT_TYPE, data: { ...next.data }, metadata: { ...metadata(), actor: { kind: 'system', id: 'log-anchor' }, channel: 'system' } }], {
      expectedRevision: next.expectedRevision === -1n ? 'no_stream' : next.expectedRevision,
    });
    anchors += 1;
  }
  const started = Date.now();
  // 50 streams at a time, 50 events per append: group commit gathers them.
  let next = 0;
  let written = 0;
  let nextAnchorAt = ANCHOR_EVERY;
  async function worker() {
    while (next < streams.length) {
      const stream = streams[next++];
      while (stream.left > 0) {
        const n = Math.min(50, stream.left);
        const events = Array.from({ length: n }, (_, i) => ({
          id: randomUUID(),
          type: stream.revision === -1n && i === 0 ? 'ContactAdded' : 'ContactUpdated',
          data:
            stream.revision === -1n && i === 0
              ? { contactId: stream.id, clientId: organizationId, name: 'Bench Person', email: `bench.${stream.id.slice(0, 8)}@example.com` }
              : { contactId: stream.id, changes: { phone: `+1 555 ${String(i).padStart(4, '0')}` } },
          metadata: metadata(),
        }));
        const result = await store.appendToStream(stream.name, events, { expectedRevision: stream.revision === -1n ? 'no_stream' : stream.revision });
        stream.revision = result.nextExpectedRevision;
        stream.left -= n;
        written += n;
        if (written >= nextAnchorAt) {
          nextAnchorAt += ANCHOR_EVERY;
          await anchor();
        }
      }
    }
  }
  await Promise.all(Array.from({ length: 50 }, worker));
  await anchor();
  await store.close();
  return { seconds: (Date.now() - started) / 1000, longStream: longId, longCount, anchors };
}

/**
 * Runs the audit CLI in a child: its exit code, wall time, CPU time (which tells, beside the wall
 * time, how much the machine's other work slowed it), peak RSS, the end of its stderr (and its
 * stdout when asked).
 */
function measure(args, env, { stdout = false } = {}) {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const out = stdout ? 'pipe' : openSync('/dev/null', 'w');
    const child = spawn(process.execPath, ['-r', join(__dirname, 'rss-preload.js'), join(ROOT, 'scripts/audit.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', out, 'pipe'] });
    if (typeof out === 'number') closeSync(out);
    let stderr = '';
    let output = '';
    child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rss = /BENCH_MAX_RSS_KIB (\d+)/.exec(stderr);
      const cpu = /BENCH_CPU_MS (\d+)/.exec(stderr);
      resolvePromise({
        code,
        seconds: Math.round(seconds * 100) / 100,
        cpuSeconds: cpu ? Math.round(Number(cpu[1]) / 10) / 100 : null,
        peakRssMB: rss ? Math.round(Number(rss[1]) / 1024) : null,
        stderrTail: stderr.split('\n').filter((l) => l && !l.startsWith('BENCH_')).slice(-2),
        ...(stdout ? { stdout: output } : {}),
      });
    });
  });
}

/**
 * The generated history: in a fresh temporary directory, or, with BENCH_AUDIT_DIR, in that
 * directory, kept and reused by the next run with the same number of events (for profiling).
 */
async function history(total, log) {
  const keep = process.env.BENCH_AUDIT_DIR;
  const dir = keep ? resolve(keep) : mkdtempSync(join(tmpdir(), 'bench-audit-'));
  const note = join(dir, 'bench-history.json');
  if (keep && existsSync(note)) {
    const kept = JSON.parse(readFileSync(note, 'utf8'));
    if (kept.total === total && kept.shape === SHAPE) {
      log(`audit: reusing the ${total} events generated in ${dir}`);
      return { dir, keep: true, generated: kept.generated };
    }
    throw new Error(`${dir} holds another history (${kept.total} events, ${kept.shape ?? 'plaintext'}): empty it or choose another BENCH_AUDIT_DIR`);
  }
  if (keep && existsSync(join(dir, 'events.sqlite'))) throw new Error(`${dir} holds an event store that this benchmark did not generate: choose another BENCH_AUDIT_DIR`);
  mkdirSync(dir, { recursive: true });
  log(`audit: generating ${total} events...`);
  const generated = await generate(join(dir, 'events.sqlite'), total);
  log(`audit: generated in ${generated.seconds.toFixed(1)} s`);
  if (keep) writeFileSync(note, JSON.stringify({ total, shape: SHAPE, generated }));
  return { dir, keep: Boolean(keep), generated };
}

/** The aim for export and verify, each. */
const AIM = { seconds: 30, peakRssGrowthMB: 100 };

async function auditHistory(total = Number(process.env.BENCH_AUDIT_EVENTS) || 1_000_000, log = (m) => process.stderr.write(`${m}\n`)) {
  const { dir, keep, generated } = await history(total, log);
  try {
    const env = { DATA_DIR: dir, EVENTSTORE_URL: '', MONGO_URL: '' };
    const loadBefore = loadAverage();
    await measure(['replay', randomUUID()], env); // warms the compiled-TypeScript cache where there is no build
    const baseline = await measure(['replay', randomUUID()], env); // opens the stores, reads nothing
    const growth = (m) => (m.peakRssMB !== null && baseline.peakRssMB !== null ? m.peakRssMB - baseline.peakRssMB : null);
    /** A figure, logged, and judged against an aim when it has one. */
    const judged = (name, m, aim) => {
      const result = { ...m, peakRssGrowthMB: growth(m) };
      if (!aim) {
        log(`audit: ${name} ${m.seconds} s (${m.cpuSeconds} s of CPU), peak RSS ${m.peakRssMB} MB, growth ${result.peakRssGrowthMB} MB`);
        return result;
      }
      result.meetsAim = m.code === 0 && m.seconds < aim.seconds && result.peakRssGrowthMB !== null && result.peakRssGrowthMB < aim.peakRssGrowthMB;
      log(`audit: ${name} ${m.seconds} s (aim < ${aim.seconds}; ${m.cpuSeconds} s of CPU), peak RSS ${m.peakRssMB} MB, growth ${result.peakRssGrowthMB} MB (aim < ${aim.peakRssGrowthMB}): ${result.meetsAim ? 'meets the aim' : 'MISSES the aim'}`);
      return result;
    };
    const exported = judged('export (JSONL)', await measure(['export', '--format', 'jsonl'], env), AIM);
    const verified = judged('verify', await measure(['verify'], env, { stdout: true }), AIM);
    // A verify that does not find every event (and anchor) verified measured the wrong thing.
    const expectedEvents = total + generated.anchors;
    const answer = parseJson(verified.stdout);
    delete verified.stdout;
    verified.verifiedAll = answer?.ok === true && answer.events === expectedEvents && answer.anchors === generated.anchors;
    if (!verified.verifiedAll) log(`audit: verify answered ${JSON.stringify(answer)}, expected ok with ${expectedEvents} events and ${generated.anchors} anchors`);
    const asOf = judged(`as-of on ${generated.longCount} events`, await measure(['as-of', generated.longStream, new Date().toISOString()], env));
    return {
      events: total,
      anchors: generated.anchors,
      generate: { seconds: Math.round(generated.seconds * 10) / 10, eventsPerSecond: Math.round(total / generated.seconds) },
      cliBaselinePeakRssMB: baseline.peakRssMB,
      exportJsonl: exported,
      verify: verified,
      asOf: { streamEvents: generated.longCount, ...asOf },
      aim: AIM,
      meetsAim: exported.meetsAim && verified.meetsAim && verified.verifiedAll,
      // The machine's other work, as 1-minute load averages before and after: wall times depend on it, CPU times far less.
      loadAverage: { before: loadBefore, after: loadAverage() },
    };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

function loadAverage() {
  return Math.round(loadavg()[0] * 100) / 100;
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

module.exports = { auditHistory };

if (require.main === module) {
  auditHistory().then(
    (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
    (error) => {
      process.stderr.write(`audit: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
