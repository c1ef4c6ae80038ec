import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { removeDataDir, tempDataDir } from '../support/app';

const MAIN = join(__dirname, '../../dist/apps/api/apps/api/src/main.js');
const API_KEY = 'durability-test-key-0123456789abcdef';

/** Starts the built API as its own process and resolves with its base URL once it listens. */
function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, API_KEY, LOG_LEVEL: 'info', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on port (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${match[1]}` });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${output}`)));
  });
}

const describeBuilt = existsSync(MAIN) ? describe : describe.skip;
if (!existsSync(MAIN)) console.warn(`SKIPPED durability (e2e): ${MAIN} is not built; run "npm run build" (npm test does)`);

describeBuilt('durability (e2e, separate process)', () => {
  it('keeps every acknowledged command after kill -9', async () => {
    const dataDir = tempDataDir();
    let server = await startServer(dataDir);
    try {
      const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
      const acknowledged: string[] = [];
      let stop = false;
      // Writers keep going while the process is killed under them.
      const writers = Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; !stop; i++) {
          try {
            const response = await fetch(`${server.url}/v1/clients`, { method: 'POST', headers, body: JSON.stringify({ name: `Client ${w}-${i}` }) });
            if (response.status === 201) acknowledged.push(((await response.json()) as { id: string }).id);
          } catch {
            return; // the server is gone
          }
        }
      });
      while (acknowledged.length < 300) await new Promise((r) => setTimeout(r, 5));
      server.child.kill('SIGKILL');
      stop = true;
      await Promise.all(writers);
      expect(acknowledged.length).toBeGreaterThanOrEqual(300);

      server = await startServer(dataDir);
      const health = (await (await fetch(`${server.url}/health`, { headers })).json()) as { headPosition: number };
      const found = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: any = await (
          await fetch(`${server.url}/v1/audit?limit=200&minPosition=${health.headPosition}${cursor ? `&cursor=${cursor}` : ''}`, { headers })
        ).json();
        for (const item of page.items) if (item.type === 'ClientCompanyRegistered') found.add(item.data.clientId);
        cursor = page.nextCursor;
      } while (cursor);
      const lost = acknowledged.filter((id) => !found.has(id));
      expect(lost).toEqual([]);
    } finally {
      server.child.kill('SIGKILL');
      removeDataDir(dataDir);
    }
  }, 60_000);
});
