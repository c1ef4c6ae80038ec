import { connect, Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { EventStore } from '../../libs/event-store/src';
import { EVENT_STORE } from '../../apps/api/src/infrastructure/tokens';
import { ServiceLifecycle } from '../../apps/api/src/lifecycle/service-lifecycle';
import { ContactImports } from '../../apps/api/src/imports/contact-imports';
import { removeDataDir, startApp, tempDataDir } from '../support/app';
import { BUILT_MAIN, isBuilt, ServerProcess, startServer } from '../support/server';

const API_KEY = 'shutdown-test-key-0123456789abcdef';
const AUTHORIZATION = `Bearer ${API_KEY}`;

const describeBuilt = isBuilt() ? describe : describe.skip;
if (!isBuilt()) console.warn(`SKIPPED graceful shutdown (e2e): ${BUILT_MAIN} is not built; run "npm run build" (npm test does)`);

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/**
 * A request held in flight on a connection of its own: all of it but its last bytes is sent
 * now, the rest on `finish`, which resolves with the answer once the server has closed the
 * connection. A request sent with `Expect: 100-continue` resolves only once the server has
 * read its headers (it answers 100 Continue): from then on its connection is not idle.
 */
async function holdRequest(url: string, request: string): Promise<{ finish: () => Promise<RawResponse> }> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const continued = new Promise<void>((resolve) =>
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      if (received.startsWith(CONTINUE)) resolve();
    }),
  );
  const cut = request.length - 2;
  socket.write(request.slice(0, cut));
  if (/^expect: 100-continue$/im.test(request)) await continued;
  return {
    finish: async () => {
      socket.write(request.slice(cut));
      await closed;
      return parseResponse(received.startsWith(CONTINUE) ? received.slice(CONTINUE.length) : received);
    },
  };
}

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

function parseResponse(raw: string): RawResponse {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  const text = rest.join('\r\n\r\n');
  return { status: Number(statusLine.split(' ')[1]), headers, body: text ? JSON.parse(text) : undefined };
}

function post(path: string, body: unknown): string {
  const json = JSON.stringify(body);
  return `POST ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${AUTHORIZATION}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nExpect: 100-continue\r\n\r\n${json}`;
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`;

function exitOf(server: ServerProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => server.child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every company the audit log of the server holds, read after it reached the head. */
async function companiesIn(server: ServerProcess): Promise<Set<string>> {
  const headers = { authorization: AUTHORIZATION };
  const health = (await (await fetch(`${server.url}/health`, { headers })).json()) as { headPosition: number };
  const found = new Set<string>();
  let cursor: string | null = null;
  do {
    const page: any = await (await fetch(`${server.url}/v1/audit?limit=200&minPosition=${health.headPosition}${cursor ? `&cursor=${cursor}` : ''}`, { headers })).json();
    for (const item of page.items) if (item.type === 'ClientCompanyRegistered') found.add(item.data.clientId);
    cursor = page.nextCursor;
  } while (cursor);
  return found;
}

describeBuilt('graceful shutdown (e2e, separate process)', () => {
  it('on SIGTERM answers the requests in flight, is not ready while it drains, takes no new connection, exits 0 within the bound and keeps every acknowledged write', async () => {
    const dataDir = tempDataDir();
    let server = await startServer(dataDir, { API_KEY, SHUTDOWN_TIMEOUT_SECONDS: '10' });
    try {
      const exited = exitOf(server);
      const headers = { authorization: AUTHORIZATION, 'content-type': 'application/json' };
      const acknowledged: string[] = [];
      const statuses: number[] = [];
      let stop = false;
      // Writers keep going while the process is told to stop under them.
      const writers = Array.from({ length: 12 }, async (_, w) => {
        for (let i = 0; !stop; i++) {
          let response: Response;
          try {
            response = await fetch(`${server.url}/v1/clients`, { method: 'POST', headers, body: JSON.stringify({ name: `Client ${w}-${i}` }) });
          } catch {
            return; // refused: the server takes no new connection
          }
          statuses.push(response.status);
          if (response.status === 201) acknowledged.push(((await response.json()) as { id: string }).id);
        }
      });
      await until(() => acknowledged.length >= 100 || stop, '100 acknowledged writes');
      // Begun before the signal: two with their headers unfinished, then a write whose headers
      // the server has read (it answered 100 Continue, so it has read what was sent before it).
      const readiness = await holdRequest(server.url, get('/health/ready'));
      const liveness = await holdRequest(server.url, get('/health/live'));
      const write = await holdRequest(server.url, post('/v1/clients', { name: 'Held through the drain' }));

      const signalledAt = Date.now();
      server.child.kill('SIGTERM');
      await until(() => server.output().includes('Taking no new requests'), 'the drain to begin');
      // The listening socket is closed: a new connection is refused.
      await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();

      const ready = await readiness.finish();
      expect(ready.status).toBe(503);
      expect(ready.headers['content-type']).toContain('application/problem+json');
      expect(ready.body).toMatchObject({ type: '/problems/shutting-down', status: 503 });
      const live = await liveness.finish();
      expect(live).toMatchObject({ status: 200, body: { status: 'alive' } });
      const held = await write.finish();
      expect(held.status).toBe(201);
      expect(held.headers.connection).toBe('close');
      acknowledged.push(held.body.id);

      const { code, signal } = await exited;
      const tookMs = Date.now() - signalledAt;
      stop = true;
      await Promise.all(writers);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(tookMs).toBeLessThan(10_000);
      expect(statuses.filter((status) => status !== 201)).toEqual([]); // every request it took was answered, and answered well
      expect(server.output()).toContain('SIGTERM: stopping (at most 10 s)');
      expect(server.output()).toMatch(/Stopped in \d+\.\d s/);

      server = await startServer(dataDir, { API_KEY });
      const found = await companiesIn(server);
      expect(acknowledged.filter((id) => !found.has(id))).toEqual([]);
    } finally {
      server.child.kill('SIGKILL');
      removeDataDir(dataDir);
    }
  }, 90_000);

  it('past SHUTDOWN_TIMEOUT_SECONDS logs what was still running and exits 1', async () => {
    const dataDir = tempDataDir();
    const server = await startServer(dataDir, { API_KEY, SHUTDOWN_TIMEOUT_SECONDS: '1' });
    try {
      const exited = exitOf(server);
      // Its body never completes: the drain waits for it until the bound.
      await holdRequest(server.url, post('/v1/clients', { name: 'Never finished' }));
      const signalledAt = Date.now();
      server.child.kill('SIGINT');
      const { code } = await exited;
      expect(code).toBe(1);
      expect(Date.now() - signalledAt).toBeLessThan(5_000);
      expect(server.output()).toContain('SIGINT: stopping (at most 1 s)');
      expect(server.output()).toMatch(/Did not stop within 1 s; still running: request POST \/v1\/clients \(in flight for 1\.\d s\); HTTP drain \(for 1\.\d s\)\. Exiting with code 1/);
    } finally {
      server.child.kill('SIGKILL');
      removeDataDir(dataDir);
    }
  }, 60_000);
});

describe('graceful shutdown order (e2e, in process)', () => {
  it('drains the HTTP server first (in-process calls of the pages still served), then stops the background work, then closes the stores, naming what still runs', async () => {
    let release: () => void = () => undefined;
    // A background task that takes its time to stop: a CSV import, whose hook Nest's own close
    // would run while the HTTP server still takes requests.
    const slow = jest.spyOn(ContactImports.prototype, 'beforeApplicationShutdown').mockImplementation(() => new Promise<void>((resolve) => (release = resolve)));
    const api = await startApp({ API_KEY });
    try {
      const lifecycle = api.app.get(ServiceLifecycle, { strict: false });
      const events = api.app.get<symbol, EventStore>(EVENT_STORE, { strict: false });
      const write = await holdRequest(api.url, post('/v1/clients', { name: 'Held in process' }));
      const closing = api.close();
      await until(() => lifecycle.draining, 'the drain to begin');
      // The pages call the API in process (Fastify's inject): served while the drain lasts.
      const fastify = api.app.getHttpAdapter().getInstance() as FastifyInstance;
      const injected = await fastify.inject({ method: 'GET', url: '/health/ready' });
      expect(injected.statusCode).toBe(503);
      expect(JSON.parse(injected.body)).toMatchObject({ type: '/problems/shutting-down' });
      expect(lifecycle.stillRunning()).toEqual([expect.stringMatching(/^request POST \/v1\/clients \(in flight for/), expect.stringMatching(/^HTTP drain/)]);
      expect((await write.finish()).status).toBe(201);

      await until(() => lifecycle.stillRunning().some((task) => task.startsWith('ContactImports.beforeApplicationShutdown')), 'the imports to be stopping');
      await expect(fetch(`${api.url}/health/live`)).rejects.toThrow(); // the HTTP server is closed already
      expect(await events.headPosition()).toBeGreaterThan(0n); // the stores are still open for the work that stops
      release();
      await closing;
      expect(lifecycle.stillRunning()).toEqual([]);
      await expect(events.headPosition()).rejects.toThrow();
    } finally {
      release(); // a failed expectation must not leave the app half closed
      slow.mockRestore();
      removeDataDir(api.dataDir);
    }
  });
});
