import { removeDataDir, startApp, TestApp, tokenIn } from '../support/app';

/**
 * Logs a person can use: one JSON line per request (method, route, status, duration,
 * correlation id, actor) when the output is not a terminal, no colour codes, no route map at
 * info level, and never a secret.
 */
describe('logs (e2e)', () => {
  let api: TestApp;
  const written: string[] = [];
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
    api = await startApp({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
  });
  afterAll(async () => {
    await api?.close();
    spy.mockRestore();
    removeDataDir(api.dataDir);
  });

  const records = () =>
    written
      .join('')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as { level: string; context?: string; message: unknown });

  it('writes one JSON record per request, with the route pattern, and never a secret', async () => {
    const company = await api.request('POST', '/v1/clients', { name: 'Log KK' }, { 'x-correlation-id': 'corr-123' });
    const contact = await api.request('POST', `/v1/clients/${company.body.id}/contacts`, { name: 'Lo', email: 'lo@log.example' });
    await api.request('POST', `/v1/contacts/${contact.body.id}/portal-access/invite`);
    const token = tokenIn((await api.outbox()).at(-1)!.content);
    const password = 'a secret passphrase nobody logs';
    await api.request('POST', '/v1/portal/invitations/accept', { token, password }, { authorization: '' });
    await api.request('GET', `/v1/contacts/${contact.body.id}?token=${token}`);
    await api.request('GET', '/v1/clients', undefined, { authorization: 'Bearer cpk_not-a-real-key-0123456789' });

    const all = written.join('');
    expect(() => records()).not.toThrow(); // every line is JSON
    expect(all).not.toMatch(/\u001b\[/); // no colour codes
    for (const secret of [api.apiKey, token, password, 'cpk_not-a-real-key-0123456789']) expect(all).not.toContain(secret);
    expect(records().some((r) => typeof r.message === 'string' && r.message.startsWith('Mapped {'))).toBe(false);

    const requests = records()
      .filter((r) => r.context === 'HTTP' && (r.message as { msg?: string }).msg === 'request')
      .map((r) => r.message as Record<string, unknown>)
      .filter((r) => r.route !== '/docs/openapi.json'); // the test harness reads the document to check problem answers
    expect(requests).toHaveLength(6);
    expect(requests[0]).toEqual({
      msg: 'request',
      method: 'POST',
      route: '/v1/clients',
      status: 201,
      durationMs: expect.any(Number),
      correlationId: 'corr-123',
      actor: { kind: 'staff', id: expect.any(String) },
    });
    expect(requests[4]).toMatchObject({ method: 'GET', route: '/v1/contacts/:contactId', status: 422 }); // an unknown query parameter, carrying a token: not logged
    expect(requests[5]).toMatchObject({ route: '/v1/clients', status: 401, actor: null });
    // The correlation id of the request is the one its events carry.
    const audit = await api.request('GET', `/v1/audit?subjectId=${company.body.id}&minPosition=${company.body.position}`);
    expect(audit.body.items[0]).toMatchObject({ correlationId: 'corr-123' });
  });
});
