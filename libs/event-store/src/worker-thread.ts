import { extname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a module of this code base: the compiled `.js` file in a build, or
 * the `.ts` source under ts-jest and the scripts that load TypeScript (transpiled on load by
 * `testing/register-ts.js`; relative imports only in worker code).
 */
export function startWorker(file: string, workerData: unknown): Worker {
  if (extname(file) !== '.ts') return new Worker(file, { workerData });
  const register = resolve(__dirname, 'testing', 'register-ts.js');
  return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(file)});`, { eval: true, workerData });
}

/** The sibling module `name` of `dirname`, with this running module's own extension (.ts or .js). */
export function siblingModule(dirname: string, name: string, running: string): string {
  return resolve(dirname, `${name}${extname(running)}`);
}
