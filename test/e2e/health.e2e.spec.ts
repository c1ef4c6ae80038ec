import { EventStore } from '../../libs/event-store/src';
import { ReadStore } from '../../libs/projections/src';
import { EVENT_STORE, READ_STORE } from '../../apps/api/src/infrastructure/tokens';
import { ServiceLifecycle } from '../../apps/api/src/lifecycle/service-lifecycle';
import { removeDataDir, startApp, TestApp } from '../support/app';

const anonymous = { authorization: '' };

/** Readiness is evaluated at most once a second: asks until it answers `status`, or fails after a few seconds. */
async function readyAnswer(api: TestApp, status: number) {
  const deadline = Date.now() + 8_000;
  for (;;) {
    const answer = await api.request('GET', '/health/ready', undefined, anonymous);
    if (answer.status === status || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('liveness and readiness (e2e)', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startApp();
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  it('answer anonymous callers: alive, and ready once the projections run', async () => {
    const live = await api.request('GET', '/health/live', undefined, anonymous);
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'alive' });
    const ready = await readyAnswer(api, 200);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });

  it('is not ready while the event store does not answer, or answers too late; alive all the same', async () => {
    const events = api.app.get<symbol, EventStore>(EVENT_STORE, { strict: false });
    const failing = jest.spyOn(events, 'headPosition').mockRejectedValue(new Error('connection refused'));
    try {
      const down = await readyAnswer(api, 503);
      expect(down.status).toBe(503);
      expect(down.headers.get('content-type')).toContain('application/problem+json');
      expect(down.headers.get('retry-after')).toBe('5');
      expect(down.body).toMatchObject({ type: '/problems/event-store-unreachable', status: 503 });
      expect(JSON.stringify(down.body)).not.toContain('connection refused'); // no detail of the store's own
      expect((await api.request('GET', '/health', undefined, anonymous)).body).toEqual({ status: 'down' });
      expect((await api.request('GET', '/health/live', undefined, anonymous)).status).toBe(200);

      failing.mockReturnValue(new Promise<bigint>(() => undefined)); // hangs
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // past the cached answer
      const hanging = await api.request('GET', '/health/ready', undefined, anonymous);
      expect(hanging.body).toMatchObject({ type: '/problems/event-store-unreachable' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      failing.mockRestore();
    }
    expect((await readyAnswer(api, 200)).status).toBe(200);
  });

  it('is not ready while the read store does not answer', async () => {
    const readStore = api.app.get<symbol, ReadStore>(READ_STORE, { strict: false });
    const failing = jest.spyOn(readStore, 'getCheckpoint').mockRejectedValue(new Error('read store down'));
    try {
      const down = await readyAnswer(api, 503);
      expect(down.body).toMatchObject({ type: '/problems/read-store-unreachable', status: 503 });
    } finally {
      failing.mockRestore();
    }
    expect((await readyAnswer(api, 200)).status).toBe(200);
  });

  it('is not ready once shutting down, and stays alive', async () => {
    const other = await startApp();
    try {
      other.app.get(ServiceLifecycle, { strict: false }).beginDraining();
      const draining = await other.request('GET', '/health/ready', undefined, anonymous);
      expect(draining.status).toBe(503);
      expect(draining.body).toMatchObject({ type: '/problems/shutting-down', status: 503 });
      expect(draining.headers.get('connection')).toBe('close');
      expect((await other.request('GET', '/health/live', undefined, anonymous)).status).toBe(200);
    } finally {
      await other.close();
      removeDataDir(other.dataDir);
    }
  });

  it('is not ready while a projection is more than READY_MAX_PROJECTION_LAG events behind, and says which', async () => {
    // The projections do not run in this process, and nothing else runs them: they stay at 0.
    const stalled = await startApp({ RUN_PROJECTIONS: 'false', READY_MAX_PROJECTION_LAG: '20' });
    try {
      const head = async () => (await stalled.request('GET', '/health')).body.headPosition as number;
      expect(await head()).toBeLessThanOrEqual(20);
      expect((await readyAnswer(stalled, 200)).status).toBe(200);
      while ((await head()) <= 20) expect((await stalled.request('POST', '/v1/clients', { name: `Lagging ${Date.now()}` })).status).toBe(201);
      const behind = await readyAnswer(stalled, 503);
      expect(behind.status).toBe(503);
      expect(behind.body).toMatchObject({ type: '/problems/projections-far-behind', status: 503, projections: expect.arrayContaining(['audit_v1', 'directory_v1']) });
      expect(behind.body.detail).toContain('more than 20 events behind');
      expect(JSON.stringify(behind.body)).not.toMatch(/headPosition|"position"/); // how far, and where the log is, are the operator's
    } finally {
      await stalled.close();
      removeDataDir(stalled.dataDir);
    }
  });
});
