'use strict';
/**
 * Preloaded into the API child (`node -r`, spawned with an IPC channel) when BENCH_CPU_PROF is
 * set. The message 'cpu-profile:start' starts the CPU sampler, 'cpu-profile:stop' stops it and
 * writes `<BENCH_CPU_PROF_DIR>/api-<pid>.cpuprofile`; the API keeps running. (--cpu-prof would
 * need a clean exit, which a SIGKILLed server never has; a signal cannot be used either: Nest's
 * enableShutdownHooks() shuts down on SIGUSR2.)
 */
const inspector = require('node:inspector');
const { writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_CPU_PROF_DIR;
const session = new inspector.Session();
session.connect();
let running = false;

process.on('message', (message) => {
  if (message === 'cpu-profile:start' && !running) {
    running = true;
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_CPU_PROF_INTERVAL_US || 500) }, () =>
        session.post('Profiler.start'),
      ),
    );
    return;
  }
  if (message !== 'cpu-profile:stop' || !running) return;
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (error) {
      process.stderr.write(`cpu profile: ${error.message}\n`);
      return;
    }
    const file = join(dir, `api-${process.pid}.cpuprofile`);
    writeFileSync(`${file}.part`, JSON.stringify(result.profile));
    renameSync(`${file}.part`, file); // the bench waits for this name
  });
});
// After the listener (adding one refs the channel): the channel must not keep the server alive.
process.channel?.unref();
