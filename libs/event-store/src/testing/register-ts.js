/**
 * Lets plain `node` load this code base's TypeScript files (worker threads under ts-jest, the
 * durability test's child process, the benchmark): `node -r ./libs/event-store/src/testing/register-ts.js script.ts`.
 * Transpile only, no type check; relative imports and the `@app/<library>` aliases of
 * tsconfig.json (mapped to libs/<library>/src, as the build does). The output is cached on disk by path,
 * size and mtime, so that a worker thread rarely has to load the compiler at all.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const Module = require('node:module');

const cacheDir = path.join(os.tmpdir(), 'client-portal-ts-cache');
const libs = path.resolve(__dirname, '..', '..', '..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveAlias(request, ...rest) {
  const alias = /^@app\/([a-z-]+)(\/.*)?$/.exec(request);
  if (alias) request = path.join(libs, alias[1], 'src', alias[2] ?? '');
  return resolveFilename.call(this, request, ...rest);
};
let ts;

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const stat = fs.statSync(filename);
  const key = crypto.createHash('sha1').update(`${filename}|${stat.size}|${stat.mtimeMs}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let outputText;
  try {
    outputText = fs.readFileSync(cached, 'utf8');
  } catch {
    ts ??= require('typescript');
    outputText = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const temporary = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      fs.writeFileSync(temporary, outputText);
      fs.renameSync(temporary, cached); // atomic: a concurrent reader sees all of it or nothing
    } catch {
      /* a cache that cannot be written only costs time */
    }
  }
  module._compile(outputText, filename);
};
