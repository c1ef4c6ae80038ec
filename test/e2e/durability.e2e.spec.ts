import { removeDataDir, tempDataDir } from '../support/app';
import { BUILT_MAIN, isBuilt, startServer as startBuiltServer } from '../support/server';

const API_KEY = 'durability-test-key-0123456789abcdef';
const startServer = (dataDir: string) => startBuiltServer(dataDir, { API_KEY });

const describeBuilt = isBuilt() ? describe : describe.skip;
if (!isBuilt()) console.warn(`SKIPPED durability (e2e): ${BUILT_MAIN} is not built; run "npm run build" (npm test does)`);

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
