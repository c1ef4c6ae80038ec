#!/usr/bin/env node
// `npm run audit -- <command>`: the built CLI when there is a build, else its TypeScript source.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const built = join(__dirname, '..', 'dist', 'apps', 'api', 'apps', 'api', 'src', 'audit', 'audit-cli.js');
if (existsSync(built)) {
  void require(built).run();
} else {
  require('../libs/event-store/src/testing/register-ts.js');
  void require('../apps/api/src/audit/audit-cli.ts').run();
}
