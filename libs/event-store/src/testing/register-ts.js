/**
 * Lets plain `node` load this library's TypeScript files (the durability test's child process,
 * the benchmark): `node -r ./libs/event-store/src/testing/register-ts.js script.ts`.
 * Transpile only, no type check; relative imports only.
 */
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
