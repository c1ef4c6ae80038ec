'use strict';
// Preloaded into a measured child: reports its peak resident set size (KiB) and the CPU time it
// used (ms, user + system: what other work on the machine does not change) on stderr at exit.
// On Linux, VmHWM of /proc/self/status: the peak of this program alone. (getrusage's maxRSS is
// kept across fork and exec, so a child's starts at its parent's size at the spawn.)
const { readFileSync, writeSync } = require('node:fs');

function peakKiB() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

process.on('exit', () => {
  const { userCPUTime, systemCPUTime } = process.resourceUsage();
  writeSync(2, `\nBENCH_MAX_RSS_KIB ${peakKiB()}\nBENCH_CPU_MS ${Math.round((userCPUTime + systemCPUTime) / 1000)}\n`);
});
