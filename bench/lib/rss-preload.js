'use strict';
// Preloaded into a measured child: reports its peak resident set size (KiB) on stderr at exit.
const { writeSync } = require('node:fs');
process.on('exit', () => writeSync(2, `\nBENCH_MAX_RSS_KIB ${process.resourceUsage().maxRSS}\n`));
