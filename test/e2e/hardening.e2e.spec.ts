import { mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secureDataDir } from '../../apps/api/src/infrastructure/data-dir';
import { MetricsServer } from '../../apps/api/src/health/metrics';
import { removeDataDir, startApp, TestApp } from '../support/app';
import { signedInPortalUser } from '../support/portal-user';

/** Raw HTTP: the request exactly as written (headers that lie about the body, half a body, ...), the first answer within `waitMs`. */
function rawHttp(url: string, request: string, waitMs = 3_000): Promise<{ status: number; headers: string; body: string } | 'no answer'> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let text = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const [head, ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      resolve(Number.isFinite(status) ? { status, headers: head.toLowerCase(), body: rest.join('\r\n\r\n') } : 'no answer');
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk) => {
      text += chunk.toString();
      const [head, body] = text.split('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(head ?? '')?.[1]);
      if (body !== undefined && Buffer.byteLength(body) >= length) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}

describe('hardening (e2e)', () => {
  let api: TestApp;
  const anonymous = { authorization: '' };
  const head = async () => (await api.request('GET', '/health')).body.headPosition as number;

  beforeAll(async () => {
    api = await startApp({ TRUST_PROXY: 'true', INVITE_RESEND_COOLDOWN_SECONDS: '0' });
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  describe('nothing is read before the caller is authenticated', () => {
    const host = () => new URL(api.url).host;

    it('refuses a staff upload at once, without waiting for its 50 MB body', async () => {
      for (const [path, type] of [
        ['/v1/imports/contacts', 'text/csv'],
        ['/v1/clients', 'application/json'],
      ]) {
        const started = Date.now();
        const answer = await rawHttp(api.url, `POST ${path} HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: ${type}\r\nContent-Length: 52428800\r\n\r\ncompany_name`);
        expect(answer).toMatchObject({ status: 401 });
        expect(answer !== 'no answer' && answer.headers).toContain('application/problem+json');
        expect(Date.now() - started).toBeLessThan(2_000);
      }
    });

    it('reads CSV on the import route only: a CSV body anywhere else is refused before it is read', async () => {
      const answer = await rawHttp(api.url, `POST /v1/portal/sessions HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: text/csv\r\nContent-Length: 52428800\r\n\r\na,b`);
      expect(answer).toMatchObject({ status: 415 });
      expect(answer !== 'no answer' && JSON.parse(answer.body)).toMatchObject({ type: '/problems/unsupported-media-type', detail: expect.stringContaining('application/json') });
    });

    it('refuses a file announced larger than 64 MiB before reading it', async () => {
      const answer = await rawHttp(
        api.url,
        `POST /v1/imports/contacts HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${api.apiKey}\r\nContent-Type: text/csv\r\nContent-Length: ${65 * 1024 * 1024}\r\n\r\ncompany_name`,
      );
      expect(answer).toMatchObject({ status: 413 });
    });

    it('receives at most 4 files at a time, and frees the place of an upload the client abandons', async () => {
      const { hostname, port } = new URL(api.url);
      const uploads = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const socket = connect(Number(port), hostname);
          await new Promise((resolve) => socket.once('connect', resolve));
          socket.write(`POST /v1/imports/contacts HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${api.apiKey}\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\ncompany_name,contact_name\n`);
          return socket;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const fifth = await api.request('POST', '/v1/imports/contacts', 'company_name,contact_name\nFifth Co,Pat\n', { 'content-type': 'text/csv' });
      expect([fifth.status, fifth.body.type, fifth.headers.get('retry-after')]).toEqual([429, '/problems/too-many-imports', '30']);
      for (const socket of uploads) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const after = await api.request('POST', '/v1/imports/contacts', 'company_name,contact_name\nAfter Co,Pat\n', { 'content-type': 'text/csv' });
      expect(after.status).toBe(202);
    });

    it('gives a slow sender a bounded time for its body (408 problem+json)', async () => {
      const slow = await startApp({ REQUEST_TIMEOUT_SECONDS: '1' });
      try {
        const started = Date.now();
        const answer = await rawHttp(
          slow.url,
          `POST /v1/clients HTTP/1.1\r\nHost: ${new URL(slow.url).host}\r\nAuthorization: Bearer ${slow.apiKey}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na`,
          6_000,
        );
        expect(answer).toMatchObject({ status: 408 });
        expect(answer !== 'no answer' && answer.headers).toContain('application/problem+json');
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        await slow.close();
        removeDataDir(slow.dataDir);
      }
    });
  });

  describe('bad input is a 4xx problem, never a 500, and writes nothing', () => {
    async function portalSession() {
      const client = await api.request('POST', '/v1/clients', { name: 'Input Co' });
      const { contactId, session } = await signedInPortalUser(api, client.body.id, { name: 'Ines', email: `deep-${Date.now()}@client.example` });
      return { clientId: client.body.id as string, contactId, session };
    }

    it.each([
      ['deeply nested JSON on a public route', 'POST', '/v1/portal/sessions', `{"email":${'['.repeat(5000)}${']'.repeat(5000)}}`, 422, '/problems/nesting-too-deep'],
      ['a lone surrogate in an email on a public route', 'POST', '/v1/portal/sessions', '{"email":"a\\ud800@x.example","password":"whatever it is"}', 422, '/problems/validation-failed'],
      ['a NUL in a name', 'POST', '/v1/clients', '{"name":"Acme\\u0000 Ltd"}', 422, '/problems/validation-failed'],
      ['an escape character in a name', 'POST', '/v1/clients', '{"name":"Acme \\u001b[31m"}', 422, '/problems/validation-failed'],
      ['bytes that are not UTF-8', 'POST', '/v1/clients', new Uint8Array([...Buffer.from('{"name":"'), 0xff, ...Buffer.from('"}')]), 400, '/problems/malformed-json'],
      ['a body that is not an object', 'POST', '/v1/clients', '["Acme"]', 422, '/problems/validation-failed'],
    ])('%s', async (_name, method, path, body, status, type) => {
      const before = await head();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const response = await fetch(`${api.url}${path}`, {
        method,
        headers: path.startsWith('/v1/portal/') ? headers : { ...headers, authorization: `Bearer ${api.apiKey}` },
        body,
      });
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(((await response.json()) as { type: string }).type).toBe(type);
      expect(await head()).toBe(before);
    });

    it('refuses null for a field that cannot be null, and an array where an object belongs', async () => {
      const user = await portalSession();
      const before = await head();
      const refused = [
        await api.request('PATCH', `/v1/clients/${user.clientId}`, { name: null }),
        await api.request('PATCH', `/v1/contacts/${user.contactId}`, { name: null }),
        await api.request('PATCH', '/v1/portal/me', { name: null }, { authorization: `Bearer ${user.session}` }),
        await api.request('POST', '/v1/shifts', { clientId: user.clientId, staffMember: [{ name: 'Jo' }], start: '2026-03-02T08:00:00Z', end: '2026-03-02T16:00:00Z' }),
        await api.request('POST', '/v1/shifts', { clientId: user.clientId, staffMember: null, start: '2026-03-02T08:00:00Z', end: '2026-03-02T16:00:00Z' }),
      ];
      expect(refused.map((r) => [r.status, r.body.type, r.body.errors?.[0]?.field])).toEqual([
        [422, '/problems/validation-failed', 'name'],
        [422, '/problems/validation-failed', 'name'],
        [422, '/problems/validation-failed', 'name'],
        [422, '/problems/validation-failed', 'staffMember'],
        [422, '/problems/validation-failed', 'staffMember'],
      ]);
      expect(refused[0].body.errors).toEqual([{ field: 'name', message: 'name must not be null' }]);
      expect(await head()).toBe(before);
    });

    it('refuses to re-send an invitation or re-invite on enable once the contact’s email was removed (was a 500)', async () => {
      const client = await api.request('POST', '/v1/clients', { name: 'No Mail Co' });
      const contact = await api.request('POST', `/v1/clients/${client.body.id}/contacts`, { name: 'Noé', email: `noe-${Date.now()}@client.example` });
      expect((await api.request('POST', `/v1/contacts/${contact.body.id}/portal-access/invite`)).status).toBe(200);
      expect((await api.request('PATCH', `/v1/contacts/${contact.body.id}`, { email: null })).status).toBe(200);
      const before = await head();
      const resend = await api.request('POST', `/v1/contacts/${contact.body.id}/portal-access/resend`, {}, { 'x-forwarded-for': '192.0.2.1' });
      expect([resend.status, resend.body.type]).toEqual([422, '/problems/contact-has-no-email']);
      expect((await api.request('POST', `/v1/contacts/${contact.body.id}/portal-access/disable`, {})).status).toBe(200);
      const enable = await api.request('POST', `/v1/contacts/${contact.body.id}/portal-access/enable`);
      expect([enable.status, enable.body.type]).toEqual([422, '/problems/contact-has-no-email']);
      expect(await head()).toBe(before + 1); // the disable only
    });

    it('refuses text with control characters or lone surrogates in queries too', async () => {
      const response = await api.request('GET', '/v1/clients?q=%00acme');
      expect(response.status).toBe(422);
      expect(response.body.errors).toEqual([{ field: 'q', message: expect.stringContaining('control character') }]);
    });
  });

  describe('validation says what is wrong, once', () => {
    it('names the type a field must have, not every rule a value of that type would break', async () => {
      const wrongType = await api.request('POST', '/v1/clients', { name: 42 });
      expect(wrongType.body).toEqual({
        type: '/problems/validation-failed',
        title: 'The request is not valid',
        status: 422,
        detail: 'name must be a string',
        errors: [{ field: 'name', message: 'name must be a string' }],
      });
      const missing = await api.request('POST', '/v1/clients', {});
      expect(missing.body.errors).toEqual([{ field: 'name', message: 'name is required' }]);
      const tooLong = await api.request('POST', '/v1/clients', { name: 'x'.repeat(201) });
      expect(tooLong.body.errors).toEqual([{ field: 'name', message: 'name must be shorter than or equal to 200 characters' }]);
      const unknown = await api.request('POST', '/v1/clients', { name: 'Acme', colour: 'blue' });
      expect(unknown.body.errors).toEqual([{ field: 'colour', message: 'colour is not a known field' }]);
    });

    it('tells a request without a JSON content type to send application/json', async () => {
      for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
        const response = await api.request('POST', '/v1/clients', 'name=Acme', headers);
        expect(response.status).toBe(415);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(response.body).toMatchObject({ type: '/problems/unsupported-media-type', detail: expect.stringContaining('Content-Type: application/json') });
      }
      const noType = await fetch(`${api.url}/v1/clients`, { method: 'POST', headers: { authorization: `Bearer ${api.apiKey}` }, body: new Uint8Array(Buffer.from('{"name":"Acme"}')) });
      expect(noType.status).toBe(415);
    });
  });

  describe('refusals made before any route runs are problem+json', () => {
    it.each([
      ['a query string over 16 KiB (431)', `/v1/clients?q=${'a'.repeat(20_000)}`, 431, '/problems/request-header-too-large'],
      ['a path parameter over 100 characters (414)', `/v1/clients/${'a'.repeat(200)}`, 414, '/problems/uri-too-long'],
      ['malformed percent-encoding (400)', '/v1/clients/%E0%A4%A', 400, '/problems/bad-url'],
      ['an unknown route (404)', '/v1/nothing-here', 404, '/problems/not-found'],
    ])('%s', async (_name, path, status, type) => {
      const answer = await rawHttp(api.url, `GET ${path} HTTP/1.1\r\nHost: ${new URL(api.url).host}\r\nAuthorization: Bearer ${api.apiKey}\r\n\r\n`);
      expect(answer).toMatchObject({ status });
      expect(answer !== 'no answer' && answer.headers).toContain('application/problem+json');
      expect(answer !== 'no answer' && JSON.parse(answer.body)).toMatchObject({ type, status });
    });
  });

  describe('headers and what a request may carry', () => {
    it('answers with nosniff, no referrer, no caching of API answers, and a CSP on the OpenAPI UI', async () => {
      const answer = await api.request('GET', '/v1/clients');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const signIn = await api.request('POST', '/v1/portal/sessions', { email: 'nobody@nowhere.example', password: 'not a password' }, anonymous);
      expect(signIn.headers.get('cache-control')).toBe('no-store');
      const docs = await fetch(`${api.url}/docs`);
      expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(docs.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('refuses an Idempotency-Key over 200 characters and query parameters the route does not know', async () => {
      const before = await head();
      const longKey = await api.request('POST', '/v1/clients', { name: 'Acme' }, { 'idempotency-key': 'k'.repeat(201) });
      expect(longKey.status).toBe(422);
      expect(longKey.body.type).toBe('/problems/invalid-idempotency-key');
      expect((await api.request('POST', '/v1/clients', { name: 'Acme' }, { 'idempotency-key': 'k'.repeat(200) })).status).toBe(201);
      const unknownOnPost = await api.request('POST', '/v1/clients?notify=true', { name: 'Acme' });
      expect(unknownOnPost.status).toBe(422);
      expect(unknownOnPost.body.errors).toEqual([{ field: 'notify', message: 'notify is not a query parameter of this route' }]);
      const unknownOnGet = await api.request('GET', '/v1/clients?sort=name');
      expect(unknownOnGet.status).toBe(422);
      const withDto = await api.request('GET', '/v1/organization?x=1');
      expect(withDto.status).toBe(422);
      const withoutDto = await api.request('GET', '/v1/imports/00000000-0000-4000-8000-000000000000?x=1&minPosition=1');
      expect(withoutDto.body.errors).toEqual([{ field: 'x', message: 'x is not a query parameter of this route' }]);
      expect(await head()).toBe(before + 1);
    });
  });

  describe('operational endpoints', () => {
    it('tell anonymous callers only up or down, and the positions to the operator’s admin key', async () => {
      const anonymousHealth = await api.request('GET', '/health', undefined, anonymous);
      expect(anonymousHealth.body).toEqual({ status: 'ok' });
      const otherOrganization = await api.request('POST', '/v1/organizations', { name: 'Health Other' });
      const otherAdmin = await api.request('GET', '/health', undefined, { authorization: `Bearer ${otherOrganization.body.adminKey}` });
      expect(otherAdmin.body).toEqual({ status: 'ok' });
      const operator = await api.request('GET', '/health');
      expect(operator.body).toMatchObject({ status: 'ok', headPosition: expect.any(Number), projections: expect.any(Object) });
      expect((await api.request('GET', '/metrics', undefined, anonymous)).status).toBe(401);
      expect((await api.request('GET', '/metrics', undefined, { authorization: `Bearer ${otherOrganization.body.adminKey}` })).status).toBe(403);
      expect((await api.request('GET', '/metrics')).status).toBe(200);
    });

    it('serve the metrics on their own port when METRICS_PORT is set, and not on the API port', async () => {
      const separate = await startApp({ METRICS_PORT: '0' });
      try {
        const port = separate.app.get(MetricsServer).port;
        const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
        expect(metrics.status).toBe(200);
        expect(await metrics.text()).toContain('event_log_head_position');
        expect((await separate.request('GET', '/metrics')).status).toBe(404);
      } finally {
        await separate.close();
        removeDataDir(separate.dataDir);
      }
    });
  });

  describe('DATA_DIR', () => {
    it('is created 0700, its files 0600', async () => {
      const parent = mkdtempSync(join(tmpdir(), 'client-portal-perm-'));
      const dataDir = join(parent, 'data');
      const fresh = await startApp({}, dataDir);
      try {
        await fresh.request('POST', '/v1/clients', { name: 'Private Co' });
        expect(statSync(dataDir).mode & 0o777).toBe(0o700);
        const files = readdirSync(dataDir).filter((f) => statSync(join(dataDir, f)).isFile());
        expect(files).toEqual(expect.arrayContaining(['events.sqlite', 'read-models.sqlite']));
        for (const file of files) expect({ file, mode: (statSync(join(dataDir, file)).mode & 0o777).toString(8) }).toEqual({ file, mode: '600' });
      } finally {
        await fresh.close();
        removeDataDir(parent);
      }
    });

    it('is reported at start when others may read it', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'client-portal-wide-'));
      try {
        mkdirSync(join(dataDir, 'outbox'), { mode: 0o755 });
        const { chmodSync } = await import('node:fs');
        chmodSync(dataDir, 0o755);
        chmodSync(join(dataDir, 'outbox'), 0o755);
        const warnings: string[] = [];
        const wide = await secureDataDir({ dataDir }, (message) => warnings.push(message));
        expect(wide).toEqual([`${dataDir} (0755)`, `${join(dataDir, 'outbox')} (0755)`]);
        expect(warnings[0]).toContain('chmod -R go-rwx');
      } finally {
        removeDataDir(dataDir);
      }
    });
  });
});
