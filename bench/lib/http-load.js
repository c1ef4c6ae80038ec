'use strict';
/** The HTTP side of the benchmark: the two servers (child processes) and the autocannon loads. */
const { randomUUID } = require('node:crypto');
const os = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const { Samples, cpuPercent, freePort, killChild, log, machineCpu, processCpu, round, sleep, spawnNode } = require('./util');

const BENCH_TAG = randomUUID().slice(0, 8);
let sequence = 0; // unique emails across every run of this process

/** Starts the compiled API on a free port, waits until /health answers. */
async function startApi(resources, { root, dataDir, apiKey, nodeArgs = [], env = {}, ipc = false }) {
  const main = join(root, 'dist/apps/api/apps/api/src/main.js');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawnNode(resources, [...nodeArgs, main], {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      API_KEY: apiKey,
      LOG_LEVEL: 'error',
      ...env,
    }, { ipc });
    child.stdout.resume();
    const url = `http://127.0.0.1:${port}`;
    const ready = await waitUntilUp(child, `${url}/health`, 30_000);
    if (ready) return { child, url, port };
    await killChild(child);
    if (attempt < 3 && /EADDRINUSE/.test(child.stderrTail)) continue;
    throw new Error(`The API did not start (exit ${child.exitCode ?? child.signalCode}):\n${child.stderrTail}`);
  }
}

async function waitUntilUp(child, healthUrl, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return true;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  return false;
}

/** Starts bench/bare-server.js; it listens on port 0 and prints {"port": N}. */
async function startBare(resources, { benchDir }) {
  const child = spawnNode(resources, [join(benchDir, 'bare-server.js')], { PORT: '0', HOST: '127.0.0.1' });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`The bare server did not start:\n${child.stderrTail}`)), 30_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const line = text.split('\n').find((l) => l.startsWith('{'));
      if (line && text.includes('\n')) {
        clearTimeout(timer);
        resolve(JSON.parse(line).port);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The bare server exited (${code ?? signal}):\n${child.stderrTail}`));
    });
  });
  child.stdout.resume();
  return { child, url: `http://127.0.0.1:${port}`, port };
}

async function post(url, path, apiKey, body) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** Waits until every projection of the API has reached the head of the log. */
async function waitForProjections(url, apiKey, timeoutMs = 60_000) {
  const started = Date.now();
  let last;
  while (Date.now() - started < timeoutMs) {
    // The projections' positions are shown to the operator's admin key only.
    last = await (await fetch(`${url}/health`, { headers: { authorization: `Bearer ${apiKey}` } })).json();
    const behind = Object.values(last.projections || {}).map((p) => p.behind);
    if (behind.every((b) => b === 0)) return { ms: Date.now() - started, headPosition: last.headPosition };
    await sleep(50);
  }
  throw new Error(`Projections still behind after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/**
 * Waits until a process uses under 5 % of a core over half a second (at most `timeoutMs`),
 * and answers how long that took (ms).
 */
async function waitUntilQuiet(pid, timeoutMs = 60_000) {
  const started = Date.now();
  let before = processCpu(pid);
  while (before && Date.now() - started < timeoutMs) {
    await sleep(500);
    const after = processCpu(pid);
    if (!after) break;
    if ((after.total - before.total) / 500 < 0.05) break;
    before = after;
  }
  return Date.now() - started;
}

/** What one load observes, per route, plus the acknowledged writes (for the durability check). */
function newTracker(routes) {
  const tracker = { route: routes[0], latency: new Samples(), routes: {}, acks: { contacts: [], invites: [] } };
  for (const route of routes) tracker.routes[route] = { latency: new Samples(1 << 14), status: {} };
  return tracker;
}

/**
 * The command workload: each connection loops "add a contact under a pre-created client (unique
 * email), then invite the contact it got back". The invite is skipped (the loop restarts) when
 * the contact was not created.
 */
function commandRequests({ apiKey, clientIds, tracker }) {
  const authorization = `Bearer ${apiKey}`;
  return [
    {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      setupRequest(request) {
        const n = ++sequence;
        request.path = `/v1/clients/${clientIds[n % clientIds.length]}/contacts`;
        request.body = JSON.stringify({ name: `Bench Contact ${n}`, email: `bench-${BENCH_TAG}-${n}@example.com` });
        return request;
      },
      onResponse(status, body, context) {
        tracker.route = 'addContact';
        if (status === 201) {
          context.contactId = JSON.parse(body).id;
          tracker.acks.contacts.push(context.contactId);
        }
      },
    },
    {
      method: 'POST',
      headers: { authorization },
      setupRequest(request, context) {
        if (!context.contactId) return null; // restart the loop
        request.path = `/v1/contacts/${context.contactId}/portal-access/invite`;
        return request;
      },
      onResponse(status, _body, context) {
        tracker.route = 'invite';
        if (status === 200) tracker.acks.invites.push(context.contactId);
      },
    },
  ];
}

/** Add a contact under a pre-created client (unique email), over and over. */
function contactRequests({ apiKey, clientIds, tracker }) {
  return [commandRequests({ apiKey, clientIds, tracker })[0]];
}

/** The baseline: POST /bare with a JSON body like the add-contact one, same headers. */
function bareRequests({ apiKey, tracker }) {
  const authorization = `Bearer ${apiKey}`;
  return [
    {
      method: 'POST',
      path: '/bare',
      headers: { authorization, 'content-type': 'application/json' },
      setupRequest(request) {
        const n = ++sequence;
        request.body = JSON.stringify({ name: `Bench Contact ${n}`, email: `bench-${BENCH_TAG}-${n}@example.com` });
        return request;
      },
      onResponse() {
        tracker.route = 'bare';
      },
    },
  ];
}

/**
 * One autocannon run. `during(instance)` may act while it runs (the durability run kills the
 * server); the promise settles with autocannon's result and our own exact latency samples.
 */
function runLoad({ url, connections, seconds, requests, tracker, during, serverPid }) {
  return new Promise((resolve, reject) => {
    const serverBefore = processCpu(serverPid);
    const selfBefore = process.cpuUsage();
    const machineBefore = machineCpu();
    const started = process.hrtime.bigint();
    const instance = autocannon({ url, connections, duration: seconds, pipelining: 1, timeout: 10, requests }, (error, result) => {
      if (error) return reject(error);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      const self = process.cpuUsage(selfBefore);
      const cpu = {
        server: cpuPercent(serverBefore, processCpu(serverPid), elapsed),
        loadGenerator: round((self.user + self.system) / 1e4 / elapsed, 0),
      };
      // Noise: what the rest of the machine (other processes, the hypervisor) took meanwhile.
      const machine = cpuPercent(machineBefore, machineCpu(), elapsed);
      if (machine && cpu.server) {
        cpu.machine = { cores: os.cpus().length, busy: machine.busy, steal: machine.steal };
        cpu.machine.otherProcesses = Math.max(0, machine.busy - cpu.server.total - cpu.loadGenerator);
      }
      resolve({ result, tracker, cpu });
    });
    // onResponse (which names the route) runs just before this event, synchronously.
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      const route = tracker.routes[tracker.route];
      route.latency.push(responseTime);
      route.status[statusCode] = (route.status[statusCode] || 0) + 1;
      tracker.latency.push(responseTime);
    });
    if (during) during(instance);
  });
}

/** The figures of one run. */
function summarize({ result, tracker, cpu }) {
  const seconds = result.duration;
  const ok = result['2xx'];
  const routes = {};
  for (const [name, route] of Object.entries(tracker.routes)) {
    const { count, p50, p99, p99_9 } = route.latency.summary();
    routes[name] = { responses: count, perSecond: round(count / seconds, 0), statusCodes: route.status, latencyMs: { p50, p99, p99_9 } };
  }
  const { count: _count, ...latencyMs } = tracker.latency.summary();
  return {
    seconds,
    responses: result.totalCompletedRequests,
    ok2xx: ok,
    requestsPerSecond: round(ok / seconds, 0),
    latencyMs,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    cpuPercentOfOneCore: cpu,
    routes,
  };
}

module.exports = {
  startApi,
  startBare,
  post,
  waitForProjections,
  waitUntilQuiet,
  newTracker,
  commandRequests,
  contactRequests,
  bareRequests,
  runLoad,
  summarize,
  log,
};
