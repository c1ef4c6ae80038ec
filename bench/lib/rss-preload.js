'use strict';
// Preloaded into a measured child: reports its peak resident set size (KiB) on stderr at exit.
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

process.on('exit', () => writeSync(2, `\nBENCH_MAX_RSS_KIB ${peakKiB()}\n`));
