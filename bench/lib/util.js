'use strict';
/** Small helpers shared by the benchmark's parts: logging, statistics, temp dirs, children. */
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/** Progress goes to stderr: stdout carries only the final JSON document. */
function log(...parts) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${parts.join(' ')}\n`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Percentile (nearest rank) of an already sorted typed array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const round = (value, digits = 2) => (value === null || value === undefined ? value : Number(value.toFixed(digits)));

/** A growable list of float samples (latencies in ms), cheap to append to under load. */
class Samples {
  constructor(capacity = 1 << 16) {
    this.values = new Float64Array(capacity);
    this.length = 0;
  }
  push(value) {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = value;
  }
  summary() {
    const sorted = this.values.slice(0, this.length).sort();
    let sum = 0;
    for (let i = 0; i < sorted.length; i++) sum += sorted[i];
    return {
      count: sorted.length,
      mean: round(sorted.length ? sum / sorted.length : null, 3),
      p50: round(percentile(sorted, 50), 3),
      p90: round(percentile(sorted, 90), 3),
      p99: round(percentile(sorted, 99), 3),
      p99_9: round(percentile(sorted, 99.9), 3),
      max: round(sorted.length ? sorted[sorted.length - 1] : null, 3),
    };
  }
}

/** Temp dirs and child processes to remove whatever happens (normal end, error, signal). */
class Resources {
  constructor() {
    this.dirs = new Set();
    this.children = new Set();
  }
  tempDir(prefix) {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.add(dir);
    return dir;
  }
  removeDir(dir) {
    rmSync(dir, { recursive: true, force: true });
    this.dirs.delete(dir);
  }
  track(child) {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }
  /** Synchronous, so that it can run in an 'exit' handler. Only our own children, by pid. */
  releaseAll() {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    this.children.clear();
    for (const dir of this.dirs) {
      try {
        // A child killed a moment ago may still be finishing a write there: retry ENOTEMPTY.
        rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
      } catch {
        /* best effort */
      }
    }
    this.dirs.clear();
  }
}

/** A port that was free a moment ago on 127.0.0.1 (for a child that cannot listen on 0). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Spawns node with args; keeps the tail of its stderr for error reports. */
function spawnNode(resources, args, env, { ipc = false } = {}) {
  const stdio = ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio });
  resources.track(child);
  child.stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    child.stderrTail = (child.stderrTail + chunk).slice(-4000);
  });
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

/** Sends a signal and waits for the child to be gone. */
async function killChild(child, signal = 'SIGKILL', timeoutMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return child.exited;
  child.kill(signal);
  const timer = sleep(timeoutMs).then(() => 'timeout');
  if ((await Promise.race([child.exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
  }
  return child.exited;
}

module.exports = { log, sleep, median, percentile, round, Samples, Resources, freePort, spawnNode, killChild };

/**
 * CPU time (ms) a process has used so far, per thread kind, from /proc (Linux; null elsewhere).
 * `main` is the JS thread; `otherThreads` the rest (libuv's pool doing fs work, V8's GC and JIT
 * helpers: Node 20 names them all "node", so they are not told apart).
 */
function processCpu(pid) {
  const { readdirSync, readFileSync } = require('node:fs');
  const msPerTick = 10; // CLK_TCK is 100 on Linux
  try {
    const byKind = {};
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      let stat;
      try {
        stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread ended meanwhile
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * msPerTick; // utime + stime
      const kind = String(tid) === String(pid) ? 'main' : 'otherThreads';
      byKind[kind] = (byKind[kind] || 0) + ms;
      total += ms;
    }
    return { total, ...byKind };
  } catch {
    return null;
  }
}

/** CPU used between two processCpu() readings over `seconds`, in % of one core. */
function cpuPercent(before, after, seconds) {
  if (!before || !after) return null;
  const result = {};
  for (const key of Object.keys(after)) result[key] = round((100 * (after[key] - (before[key] || 0))) / 1000 / seconds, 0);
  return result;
}

module.exports.processCpu = processCpu;
module.exports.cpuPercent = cpuPercent;

/** Machine-wide CPU counters (ms) from /proc/stat: busy, idle, steal (Linux; null elsewhere). */
function machineCpu() {
  try {
    const line = require('node:fs').readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return { busy: (user + nice + system + irq + softirq) * 10, idle: (idle + iowait) * 10, steal: (steal || 0) * 10 };
  } catch {
    return null;
  }
}

module.exports.machineCpu = machineCpu;
