import { removeDataDir, startApp, TestApp, tempDataDir } from '../support/app';

/**
 * API keys are checked from memory. A key revoked in this process is refused at once; one
 * revoked by another instance on the same stores is refused once its ApiKeyRevoked event has
 * reached this one (the lag of following the log); a key issued elsewhere works here too.
 */
describe('API keys checked from memory (e2e)', () => {
  let dataDir: string;
  let one: TestApp;
  let two: TestApp;

  beforeAll(async () => {
    dataDir = tempDataDir();
    one = await startApp({}, dataDir);
    two = await startApp({}, dataDir);
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
    removeDataDir(dataDir);
  });

  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  it('a key issued by one instance works on the other; revoked, it is refused here at once and there within the lag', async () => {
    const issued = await one.request('POST', '/v1/api-keys', { name: 'sync job', role: 'reporter' });
    expect(issued.status).toBe(201);
    const key = issued.body.key as string;
    expect((await one.request('GET', '/v1/clients', undefined, as(key))).status).toBe(200);
    expect((await two.request('GET', '/v1/clients', undefined, as(key))).status).toBe(200);

    expect((await one.request('DELETE', `/v1/api-keys/${issued.body.id}`)).status).toBe(204);
    expect((await one.request('GET', '/v1/clients', undefined, as(key))).status).toBe(401);
    const started = Date.now();
    let status = 200;
    while (Date.now() - started < 5_000) {
      status = (await two.request('GET', '/v1/clients', undefined, as(key))).status;
      if (status === 401) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(401);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a key revoked while an instance was down is unknown to it when it starts', async () => {
    const issued = await one.request('POST', '/v1/api-keys', { name: 'short-lived', role: 'agent' });
    expect((await one.request('DELETE', `/v1/api-keys/${issued.body.id}`)).status).toBe(204);
    const three = await startApp({}, dataDir);
    try {
      expect((await three.request('GET', '/v1/clients', undefined, as(issued.body.key))).status).toBe(401);
    } finally {
      await three.close();
    }
  });
});
