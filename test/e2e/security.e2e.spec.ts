import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeDataDir, Response, startApp, TestApp, tokenIn } from '../support/app';
import { signedInPortalUser } from '../support/portal-user';

/**
 * The security model end to end: organizations, API keys and roles, portal sessions, and a
 * walk over every route with every kind of caller.
 */
describe('security (e2e)', () => {
  let api: TestApp;
  const secrets = new Set<string>();
  const bodies: string[] = [];
  const logs: string[] = [];
  let restoreStdout: () => void;

  // Every call from its own client address, so per-address limits never mix tests up.
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> => {
    const response = await api.request(method, path, body, { 'x-forwarded-for': `10.${rand()}.${rand()}.${rand()}`, ...headers });
    bodies.push(JSON.stringify(response.body ?? ''));
    return response;
  };
  const rand = () => Math.floor(Math.random() * 250) + 1;
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const anonymous = { authorization: '' };
  const head = async () => (await api.request('GET', '/health')).body.headPosition as number;

  const keys: Record<string, string> = {};
  let otherOrg: { id: string; adminKey: string };
  let revokedKey: string;

  async function contact(key = api.apiKey, email: string | null = `${randomUUID()}@client.example`) {
    const client = await call('POST', '/v1/clients', { name: 'Client Co' }, as(key));
    const person = await call('POST', `/v1/clients/${client.body.id}/contacts`, email ? { name: 'Pat', email } : { name: 'Pat' }, as(key));
    return { clientId: client.body.id as string, contactId: person.body.id as string, email };
  }

  async function portalUser(key = api.apiKey, password = 'a long and unusual passphrase') {
    const person = await contact(key);
    const user = await signedInPortalUser(api, person.clientId, { contact: { contactId: person.contactId, email: person.email! }, password, apiKey: key, request: call });
    secrets.add(user.invitationToken);
    secrets.add(user.session);
    return { ...person, password, session: user.session, position: user.acceptedPosition };
  }

  beforeAll(async () => {
    const write = process.stdout.write.bind(process.stdout);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logs.push(chunk.toString());
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logs.push(chunk.toString());
      return (writeErr as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    restoreStdout = () => {
      process.stdout.write = write;
      process.stderr.write = writeErr;
    };
    api = await startApp({ TRUST_PROXY: 'true', INVITE_RESEND_COOLDOWN_SECONDS: '0', TEST_LOG_LEVEL: 'info', LOG_LEVEL: 'info' });
    secrets.add(api.apiKey);
    for (const role of ['admin', 'agent', 'auditor', 'reporter']) {
      const issued = await call('POST', '/v1/api-keys', { name: `${role} key`, role }, as(api.apiKey));
      expect(issued.status).toBe(201);
      expect(issued.body).toMatchObject({ role, prefix: issued.body.key.slice(0, 12) });
      keys[role] = issued.body.key;
      secrets.add(issued.body.key);
    }
    const revoked = await call('POST', '/v1/api-keys', { name: 'soon revoked', role: 'admin' }, as(api.apiKey));
    revokedKey = revoked.body.key;
    secrets.add(revokedKey);
    expect((await call('DELETE', `/v1/api-keys/${revoked.body.id}`, undefined, as(api.apiKey))).status).toBe(204);
    const created = await call('POST', '/v1/organizations', { name: 'Tokyo Staffing KK', timeZone: 'Asia/Tokyo' }, as(api.apiKey));
    expect(created.status).toBe(201);
    otherOrg = created.body;
    secrets.add(otherOrg.adminKey);
  });

  afterAll(async () => {
    restoreStdout?.();
    await api.close();
    removeDataDir(api.dataDir);
  });

  describe('API keys', () => {
    it('are at least 256 bits, listed without key material, and stop working at once when revoked', async () => {
      const issued = await call('POST', '/v1/api-keys', { name: 'temporary', role: 'agent' }, as(api.apiKey));
      secrets.add(issued.body.key);
      expect(issued.body.key).toMatch(/^cpk_[A-Za-z0-9_-]{43}$/);
      expect((await call('POST', '/v1/clients', { name: 'Works' }, as(issued.body.key))).status).toBe(201);
      const list = await call('GET', `/v1/api-keys?limit=200&minPosition=${issued.body.position}`, undefined, as(api.apiKey));
      const listed = list.body.items.find((k: any) => k.id === issued.body.id);
      expect(listed).toMatchObject({ name: 'temporary', role: 'agent', prefix: issued.body.prefix, status: 'Active' });
      expect(JSON.stringify(list.body)).not.toContain(issued.body.key);
      expect((await call('DELETE', `/v1/api-keys/${issued.body.id}`, undefined, as(api.apiKey))).status).toBe(204);
      expect((await call('POST', '/v1/clients', { name: 'No more' }, as(issued.body.key))).status).toBe(401);
      expect((await call('DELETE', `/v1/api-keys/${issued.body.id}`, undefined, as(api.apiKey))).status).toBe(409);
    });

    it('are issued in the caller’s own organization only', async () => {
      const issued = await call('POST', '/v1/api-keys', { name: 'B agent', role: 'agent' }, as(otherOrg.adminKey));
      secrets.add(issued.body.key);
      const own = await call('GET', `/v1/api-keys?limit=200&minPosition=${issued.body.position}`, undefined, as(otherOrg.adminKey));
      expect(own.body.items.map((k: any) => k.name).sort()).toEqual(['B agent', 'Initial admin key']);
      const operators = await call('GET', '/v1/api-keys?limit=200', undefined, as(api.apiKey));
      expect(operators.body.items.map((k: any) => k.id)).not.toContain(issued.body.id);
    });

    it('refuses an unknown role and a non-operator creating organizations', async () => {
      expect((await call('POST', '/v1/api-keys', { name: 'x', role: 'root' }, as(api.apiKey))).status).toBe(422);
      expect((await call('POST', '/v1/organizations', { name: 'Nope' }, as(otherOrg.adminKey))).status).toBe(403);
      expect((await call('POST', '/v1/organizations', { name: 'Bad zone', timeZone: 'Mars/Olympus' }, as(api.apiKey))).status).toBe(422);
    });
  });

  describe('portal users', () => {
    it('sign in only when Active; wrong password and unknown email look the same', async () => {
      const user = await portalUser();
      const wrong = await call('POST', '/v1/portal/sessions', { email: user.email, password: 'not the password at all' }, anonymous);
      const unknown = await call('POST', '/v1/portal/sessions', { email: `${randomUUID()}@nowhere.example`, password: 'not the password at all' }, anonymous);
      expect(wrong.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      // About the same time: both verify one scrypt hash.
      const time = async (email: string) => {
        const started = process.hrtime.bigint();
        await call('POST', '/v1/portal/sessions', { email, password: 'not the password at all' }, anonymous);
        return Number(process.hrtime.bigint() - started) / 1e6;
      };
      const known = await time(user.email!);
      const missing = await time(`${randomUUID()}@nowhere.example`);
      expect(missing).toBeGreaterThan(known * 0.4);

      const invitedOnly = await contact();
      await call('POST', `/v1/contacts/${invitedOnly.contactId}/portal-access/invite`);
      const notAccepted = await call('POST', '/v1/portal/sessions', { email: invitedOnly.email, password: 'whatever password' }, anonymous);
      expect(notAccepted.body).toEqual(wrong.body);

      const me = await call('GET', '/v1/portal/me', undefined, as(user.session));
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        contactId: user.contactId,
        clientId: user.clientId,
        clientIds: [user.clientId],
        email: user.email,
        name: 'Pat',
        phone: null,
        preferences: { language: 'en', timeFormat: '24h', timeZone: 'UTC', country: null },
      });
    });

    it('change their own name and phone as events of their own, and nothing else of their contact', async () => {
      const user = await portalUser();
      for (const bad of [{ phone: 'call me' }, { name: '' }, { email: 'new@client.example' }, { clientId: randomUUID() }]) {
        const before = await head();
        expect((await call('PATCH', '/v1/portal/me', bad, as(user.session))).status).toBe(422);
        expect(await head()).toBe(before);
      }
      const changed = await call('PATCH', '/v1/portal/me', { name: 'Pat Souza', phone: '+55 11 91234-5678' }, as(user.session));
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ name: 'Pat Souza', phone: '+55 11 91234-5678', email: user.email });
      const audit = await call('GET', `/v1/audit?subjectId=${user.contactId}&minPosition=${changed.body.position}`);
      expect(audit.body.items.find((i: any) => i.type === 'ContactUpdated')).toMatchObject({ channel: 'portal', actor: { kind: 'portal-user' } });
      const feed = await call('GET', `/v1/notifications?limit=200&minPosition=${changed.body.position}`);
      expect(feed.body.items.some((n: any) => n.type === 'ContactUpdated' && n.contactId === user.contactId)).toBe(true);
    });

    it('lose their sessions at once when disabled or revoked, and cannot sign in again', async () => {
      for (const action of ['disable', 'revoke']) {
        const user = await portalUser();
        expect((await call('GET', '/v1/portal/me', undefined, as(user.session))).status).toBe(200);
        expect((await call('POST', `/v1/contacts/${user.contactId}/portal-access/${action}`, {})).status).toBe(200);
        expect((await call('GET', '/v1/portal/me', undefined, as(user.session))).status).toBe(401);
        expect((await call('POST', '/v1/portal/sessions', { email: user.email, password: user.password }, anonymous)).status).toBe(401);
      }
    });

    it('default to the organization’s time zone and change preferences as events of their own', async () => {
      const user = await portalUser(otherOrg.adminKey);
      const me = await call('GET', '/v1/portal/me', undefined, as(user.session));
      expect(me.body.preferences).toEqual({ language: 'en', timeFormat: '24h', timeZone: 'Asia/Tokyo', country: null });
      for (const bad of [{ timeZone: 'Asia/Tokio' }, { language: 'xx' }, { country: 'ZZ' }, { timeFormat: '13h' }, { colour: 'blue' }]) {
        const before = await head();
        const refused = await call('PATCH', '/v1/portal/me/preferences', bad, as(user.session));
        expect(refused.status).toBe(422);
        expect(await head()).toBe(before);
      }
      const changed = await call('PATCH', '/v1/portal/me/preferences', { language: 'pt-BR', timeZone: 'America/Sao_Paulo', country: 'BR', timeFormat: '12h' }, as(user.session));
      expect(changed.status).toBe(200);
      expect(changed.body.preferences).toEqual({ language: 'pt-BR', timeFormat: '12h', timeZone: 'America/Sao_Paulo', country: 'BR' });
      const audit = await call('GET', `/v1/audit?subjectId=${user.contactId}&minPosition=${changed.body.position}`, undefined, as(otherOrg.adminKey));
      const event = audit.body.items.find((i: any) => i.type === 'PortalPreferencesChanged');
      expect(event).toMatchObject({ channel: 'portal', actor: { kind: 'portal-user' }, data: { changes: { language: 'pt-BR', country: 'BR' } } });
    });

    it('reset a forgotten password with a single-use emailed token, which ends their sessions', async () => {
      const user = await portalUser();
      const unknown = await call('POST', '/v1/portal/password-reset', { email: `${randomUUID()}@nowhere.example` }, anonymous);
      const known = await call('POST', '/v1/portal/password-reset', { email: user.email }, anonymous);
      expect(unknown.status).toBe(202);
      expect(known.status).toBe(202);
      expect(known.body).toEqual(unknown.body);
      const email = await waitForEmail(api, (m) => m.includes(`To: ${user.email}`) && m.includes('reset-password?token='));
      const token = tokenIn(email);
      secrets.add(token);

      expect((await call('POST', '/v1/portal/password-reset/confirm', { token, password: 'short' }, anonymous)).status).toBe(422);
      const common = await call('POST', '/v1/portal/password-reset/confirm', { token, password: 'qwertyuiop' }, anonymous);
      expect(common.status).toBe(422);
      expect(common.body.type).toBe('/problems/weak-password');
      const confirmed = await call('POST', '/v1/portal/password-reset/confirm', { token, password: 'a brand new passphrase' }, anonymous);
      expect(confirmed.status).toBe(200);
      expect((await call('GET', '/v1/portal/me', undefined, as(user.session))).status).toBe(401);
      expect((await call('POST', '/v1/portal/password-reset/confirm', { token, password: 'yet another passphrase' }, anonymous)).status).toBe(410);
      expect((await call('POST', '/v1/portal/sessions', { email: user.email, password: user.password }, anonymous)).status).toBe(401);
      const fresh = await call('POST', '/v1/portal/sessions', { email: user.email, password: 'a brand new passphrase' }, anonymous);
      expect(fresh.status).toBe(200);
      secrets.add(fresh.body.token);
      expect((await call('GET', '/v1/portal/me', undefined, as(fresh.body.token))).status).toBe(200);
    });

    it('refuse the most common passwords when accepting an invitation', async () => {
      const person = await contact();
      await call('POST', `/v1/contacts/${person.contactId}/portal-access/invite`);
      const token = tokenIn((await api.outbox()).at(-1)!.content);
      secrets.add(token);
      const before = await head();
      for (const password of ['1234567890', 'qwertyuiop', 'Password1234'.toLowerCase(), 'aaaaaaaaaaaa']) {
        const refused = await call('POST', '/v1/portal/invitations/accept', { token, password }, anonymous);
        expect({ password, status: refused.status }).toEqual({ password, status: 422 });
      }
      expect(await head()).toBe(before);
    });

    it('are slowed down after 10 failures in 15 minutes from one address, which does not lock the owner out elsewhere', async () => {
      // The per-account limit used to count every address together: anyone could lock a known account out.
      const user = await portalUser();
      const attacker = { ...anonymous, 'x-forwarded-for': '203.0.113.66' };
      for (let i = 0; i < 10; i++) {
        expect((await call('POST', '/v1/portal/sessions', { email: user.email, password: `wrong password ${i}` }, attacker)).status).toBe(401);
      }
      const blocked = await call('POST', '/v1/portal/sessions', { email: user.email, password: user.password }, attacker);
      expect(blocked.status).toBe(429);
      expect(blocked.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);
      const owner = await call('POST', '/v1/portal/sessions', { email: user.email, password: user.password }, { ...anonymous, 'x-forwarded-for': '198.51.100.7' });
      expect(owner.status).toBe(200);
      secrets.add(owner.body.token);

      const address = { ...anonymous, 'x-forwarded-for': '192.0.2.77' };
      for (let i = 0; i < 10; i++) {
        await call('POST', '/v1/portal/invitations/accept', { token: `bogus-token-${i}-${'x'.repeat(30)}`, password: 'a long passphrase' }, address);
      }
      const limited = await call('POST', '/v1/portal/invitations/accept', { token: 'another-bogus-token-xxxxxxxxxxxxxxxxxxx', password: 'a long passphrase' }, address);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    });
  });

  describe('every route, every caller', () => {
    type Caller = 'none' | 'revoked' | 'admin' | 'agent' | 'auditor' | 'reporter' | 'otherOrgAdmin' | 'portal' | 'portalOtherCompany' | 'portalDisabled';
    const CALLERS: Caller[] = ['none', 'revoked', 'admin', 'agent', 'auditor', 'reporter', 'otherOrgAdmin', 'portal', 'portalOtherCompany', 'portalDisabled'];
    let credentials: Record<Caller, Record<string, string>>;
    let portal: Awaited<ReturnType<typeof portalUser>>;
    let portalOther: Awaited<ReturnType<typeof portalUser>>;

    beforeAll(async () => {
      portal = await portalUser();
      portalOther = await portalUser();
      const disabled = await portalUser();
      await call('POST', `/v1/contacts/${disabled.contactId}/portal-access/disable`, {});
      credentials = {
        none: anonymous,
        revoked: as(revokedKey),
        admin: as(api.apiKey),
        agent: as(keys.agent),
        auditor: as(keys.auditor),
        reporter: as(keys.reporter),
        otherOrgAdmin: as(otherOrg.adminKey),
        portal: as(portal.session),
        portalOtherCompany: as(portalOther.session),
        portalDisabled: as(disabled.session),
      };
    });

    interface RouteCase {
      /** Makes what the call needs (as the operator admin) and answers path and body. */
      prepare: () => Promise<{ path: string; body?: unknown; headers?: Record<string, string> }>;
      expected: Partial<Record<Caller, number>> & { default: number };
      /** Checks on a successful answer (e.g. nothing of another organization). */
      check?: (caller: Caller, response: Response) => void;
      /** Puts back what the calls used up (sessions signed out). */
      after?: () => Promise<unknown>;
    }

    /** New sessions for the two portal callers (the old ones may have been signed out). */
    const freshSessions = async () => {
      for (const [caller, user] of [['portal', portal], ['portalOtherCompany', portalOther]] as const) {
        const session = await call('POST', '/v1/portal/sessions', { email: user.email, password: user.password }, anonymous);
        expect(session.status).toBe(200);
        secrets.add(session.body.token);
        credentials[caller] = as(session.body.token);
        user.session = session.body.token;
      }
      return {};
    };

    const staff = (permitted: Caller[], success: number, otherOrg: number, extra: Partial<Record<Caller, number>> = {}) => {
      const expected: Partial<Record<Caller, number>> & { default: number } = { default: 403, none: 401, revoked: 401, portal: 401, portalOtherCompany: 401, portalDisabled: 401, otherOrgAdmin: otherOrg, ...extra };
      for (const caller of permitted) expected[caller] = success;
      return expected;
    };
    const publicRoute = (status: number) => ({ default: status });
    const portalRoute = (status: number) => ({ default: 401, portal: status, portalOtherCompany: status });
    const operatorContact = async () => (await contact()).contactId;
    const invitedContact = async () => {
      const id = await operatorContact();
      await call('POST', `/v1/contacts/${id}/portal-access/invite`);
      return id;
    };
    // A CSV imported once in both organizations, so that importing it again writes nothing.
    const IMPORT_CSV = 'company_name,contact_name\nImported Co,Pat Imported\n';
    let imported: Promise<string> | undefined;
    const importedFile = () =>
      (imported ??= (async () => {
        const ids: string[] = [];
        for (const key of [api.apiKey, otherOrg.adminKey]) {
          const accepted = await call('POST', '/v1/imports/contacts', IMPORT_CSV, { ...as(key), 'content-type': 'text/csv' });
          expect(accepted.status).toBe(202);
          const deadline = Date.now() + 10_000;
          while ((await call('GET', `/v1/imports/${accepted.body.id}`, undefined, as(key))).body.status !== 'completed') {
            if (Date.now() > deadline) throw new Error('import not completed within 10 s');
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          ids.push(accepted.body.id);
        }
        return ids[0];
      })());
    const noOperatorRows = (caller: Caller, response: Response) => {
      if (caller === 'otherOrgAdmin') expect(JSON.stringify(response.body)).not.toContain(portal.contactId);
    };
    // A client and contact of the other organization named like the operator's, so that its
    // directory lists and searches have rows to answer.
    let otherDirectory: Promise<number> | undefined;
    const otherOrgDirectory = () =>
      (otherDirectory ??= (async () => {
        const client = await call('POST', '/v1/clients', { name: 'Client Co' }, as(otherOrg.adminKey));
        const person = await call('POST', `/v1/clients/${client.body.id}/contacts`, { name: 'Pat' }, as(otherOrg.adminKey));
        expect(person.status).toBe(201);
        return person.body.position as number;
      })());
    const noOperatorDirectoryRows = (caller: Caller, response: Response) => {
      if (caller !== 'otherOrgAdmin') return;
      expect(response.body.items.length).toBeGreaterThan(0);
      for (const id of [portal.clientId, portal.contactId, portalOther.clientId, portalOther.contactId]) expect(JSON.stringify(response.body)).not.toContain(id);
    };

    // Reports: the operator organization's companies counted for its own keys, never for another's.
    const reportRoute = (name: string): RouteCase => ({
      prepare: async () => ({ path: `/v1/reports/${name}?minPosition=${await head()}` }),
      expected: staff(['admin', 'reporter'], 200, 200),
      check: (caller, response) => {
        const body = JSON.stringify(response.body);
        if (caller === 'otherOrgAdmin') for (const id of [portal.clientId, portalOther.clientId]) expect(body).not.toContain(id);
        else if (name === 'portal-access' || name === 'invitations') expect(body).toContain(name === 'portal-access' ? portal.clientId : '"accepted":');
      },
    });

    const ROUTES: Record<string, RouteCase> = {
      'GET /health': { prepare: async () => ({ path: '/health' }), expected: publicRoute(200) },
      'GET /health/live': { prepare: async () => ({ path: '/health/live' }), expected: publicRoute(200) },
      'GET /health/ready': { prepare: async () => ({ path: '/health/ready' }), expected: publicRoute(200) },
      // The whole service's figures: the operator organization's admin keys only.
      'GET /metrics': { prepare: async () => ({ path: '/metrics' }), expected: staff(['admin'], 200, 403) },
      'POST /v1/organizations': {
        prepare: async () => ({ path: '/v1/organizations', body: { name: `Org ${randomUUID()}` } }),
        expected: staff(['admin'], 201, 403),
      },
      // The projections serve every organization: the operator's admins only.
      'GET /v1/admin/projections': { prepare: async () => ({ path: '/v1/admin/projections' }), expected: staff(['admin'], 200, 403) },
      'POST /v1/admin/projections/{name}/rebuild': { prepare: async () => ({ path: '/v1/admin/projections/notifications_v1/rebuild' }), expected: staff(['admin'], 202, 403) },
      'POST /v1/api-keys': { prepare: async () => ({ path: '/v1/api-keys', body: { name: 'k', role: 'reporter' } }), expected: staff(['admin'], 201, 201) },
      'GET /v1/api-keys': { prepare: async () => ({ path: '/v1/api-keys?limit=200' }), expected: staff(['admin'], 200, 200), check: noOperatorRows },
      'DELETE /v1/api-keys/{keyId}': {
        prepare: async () => ({ path: `/v1/api-keys/${(await call('POST', '/v1/api-keys', { name: 'to revoke', role: 'reporter' })).body.id}` }),
        expected: staff(['admin'], 204, 404),
      },
      'POST /v1/clients': { prepare: async () => ({ path: '/v1/clients', body: { name: 'New client' } }), expected: staff(['admin', 'agent'], 201, 201) },
      'POST /v1/clients/{clientId}/contacts': {
        prepare: async () => ({ path: `/v1/clients/${portal.clientId}/contacts`, body: { name: 'Someone' } }),
        expected: staff(['admin', 'agent'], 201, 404),
      },
      'PATCH /v1/clients/{clientId}': {
        prepare: async () => ({ path: `/v1/clients/${(await contact()).clientId}`, body: { website: 'https://client.example' } }),
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'DELETE /v1/clients/{clientId}': {
        prepare: async () => ({ path: `/v1/clients/${(await contact()).clientId}` }),
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'PATCH /v1/contacts/{contactId}': {
        prepare: async () => ({ path: `/v1/contacts/${await operatorContact()}`, body: { phone: '+81 3 1234 5678' } }),
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'POST /v1/contacts/{contactId}/associations': {
        prepare: async () => ({ path: `/v1/contacts/${await operatorContact()}/associations`, body: { clientId: portal.clientId } }),
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'DELETE /v1/contacts/{contactId}/associations/{clientId}': {
        prepare: async () => {
          const id = await operatorContact();
          expect((await call('POST', `/v1/contacts/${id}/associations`, { clientId: portal.clientId })).status).toBe(200);
          return { path: `/v1/contacts/${id}/associations/${portal.clientId}?documents=move` };
        },
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'PUT /v1/contacts/{contactId}/primary-client': {
        prepare: async () => {
          const id = await operatorContact();
          expect((await call('POST', `/v1/contacts/${id}/associations`, { clientId: portal.clientId })).status).toBe(200);
          return { path: `/v1/contacts/${id}/primary-client`, body: { clientId: portal.clientId } };
        },
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'POST /v1/contacts/{contactId}/portal-access/invite': {
        prepare: async () => ({ path: `/v1/contacts/${await operatorContact()}/portal-access/invite` }),
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'POST /v1/contacts/{contactId}/portal-access/resend': {
        prepare: async () => ({ path: `/v1/contacts/${await invitedContact()}/portal-access/resend` }),
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'POST /v1/contacts/{contactId}/portal-access/disable': {
        prepare: async () => ({ path: `/v1/contacts/${await invitedContact()}/portal-access/disable`, body: { reason: 'test' } }),
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'POST /v1/contacts/{contactId}/portal-access/enable': {
        prepare: async () => {
          const id = await invitedContact();
          await call('POST', `/v1/contacts/${id}/portal-access/disable`, {});
          return { path: `/v1/contacts/${id}/portal-access/enable` };
        },
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'POST /v1/contacts/{contactId}/portal-access/revoke': {
        prepare: async () => ({ path: `/v1/contacts/${await invitedContact()}/portal-access/revoke`, body: {} }),
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'PUT /v1/contacts/{contactId}/portal-access/user-type': {
        prepare: async () => ({ path: `/v1/contacts/${await invitedContact()}/portal-access/user-type`, body: { userTypeId: await operatorUserType() } }),
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'POST /v1/portal-access/bulk-invite': {
        prepare: async () => ({ path: '/v1/portal-access/bulk-invite', body: { contactIds: [await operatorContact()] } }),
        expected: staff(['admin', 'agent'], 200, 200),
        check: (caller, response) => {
          // Another organization's contact is skipped as unknown: nothing invited, nothing said about it.
          if (caller === 'otherOrgAdmin') expect(response.body).toMatchObject({ invited: [], skipped: [{ reason: 'contact-not-found' }] });
          else expect(response.body.invited).toHaveLength(1);
        },
      },
      'GET /v1/approvals': { prepare: async () => ({ path: '/v1/approvals?limit=200' }), expected: staff(['admin', 'agent', 'reporter'], 200, 200), check: noOperatorRows },
      'GET /v1/portal/approvals': { prepare: async () => ({ path: '/v1/portal/approvals' }), expected: portalRoute(200) },
      'GET /v1/contacts/{contactId}/portal-access': {
        prepare: async () => ({ path: `/v1/contacts/${portal.contactId}/portal-access?minPosition=${portal.position}` }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 404),
      },
      'GET /v1/portal-access': { prepare: async () => ({ path: '/v1/portal-access?limit=200' }), expected: staff(['admin', 'agent', 'reporter'], 200, 200), check: noOperatorRows },
      'GET /v1/reports/portal-access': reportRoute('portal-access'),
      'GET /v1/reports/invitations': reportRoute('invitations'),
      'GET /v1/reports/approvals': reportRoute('approvals'),
      'GET /v1/reports/documents': reportRoute('documents'),
      'GET /v1/reports/invoices': reportRoute('invoices'),
      'GET /v1/audit': { prepare: async () => ({ path: '/v1/audit?limit=200' }), expected: staff(['admin', 'auditor'], 200, 200), check: noOperatorRows },
      'GET /v1/audit/verify': { prepare: async () => ({ path: '/v1/audit/verify' }), expected: staff(['admin', 'auditor'], 200, 200) },
      'GET /v1/audit/export': { prepare: async () => ({ path: '/v1/audit/export?format=jsonl' }), expected: staff(['admin', 'auditor'], 200, 200) },
      'GET /v1/contacts/{contactId}/portal-access/permissions': {
        prepare: async () => ({ path: `/v1/contacts/${portal.contactId}/portal-access/permissions` }),
        expected: staff(['admin', 'auditor'], 200, 404),
      },
      'POST /v1/contacts/{contactId}/erase': {
        prepare: async () => ({ path: `/v1/contacts/${await operatorContact()}/erase` }),
        expected: staff(['admin'], 200, 404),
      },
      'GET /v1/clients': {
        prepare: async () => ({ path: `/v1/clients?q=client%20co&limit=200&minPosition=${await otherOrgDirectory()}` }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 200),
        check: noOperatorDirectoryRows,
      },
      'GET /v1/clients/{clientId}': {
        prepare: async () => ({ path: `/v1/clients/${portal.clientId}?minPosition=${portal.position}` }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 404),
      },
      'GET /v1/contacts': {
        prepare: async () => ({ path: `/v1/contacts?q=pat&limit=200&minPosition=${await otherOrgDirectory()}` }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 200),
        check: noOperatorDirectoryRows,
      },
      'GET /v1/contacts/{contactId}': {
        prepare: async () => ({ path: `/v1/contacts/${portal.contactId}?minPosition=${portal.position}` }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 404),
      },
      'POST /v1/portal/invitations/accept': {
        prepare: async () => ({ path: '/v1/portal/invitations/accept', body: { token: `unknown-${randomUUID()}`, password: 'a long passphrase' } }),
        expected: publicRoute(400),
      },
      'POST /v1/portal/invitations/describe': {
        prepare: async () => ({ path: '/v1/portal/invitations/describe', body: { token: `unknown-${randomUUID()}` } }),
        expected: publicRoute(400),
      },
      'POST /v1/portal/password-reset/describe': {
        prepare: async () => ({ path: '/v1/portal/password-reset/describe', body: { token: `unknown-${randomUUID()}` } }),
        expected: publicRoute(400),
      },
      'GET /v1/audit/subjects': {
        prepare: async () => ({ path: `/v1/audit/subjects?q=pat&minPosition=${await otherOrgDirectory()}` }),
        expected: staff(['admin', 'auditor'], 200, 200),
        check: noOperatorRows,
      },
      'GET /v1/audit/subjects/{subjectId}': {
        prepare: async () => ({ path: `/v1/audit/subjects/${portal.contactId}?minPosition=${portal.position}` }),
        expected: staff(['admin', 'auditor'], 200, 404),
      },
      'POST /v1/portal/sessions': {
        prepare: async () => ({ path: '/v1/portal/sessions', body: { email: `${randomUUID()}@nowhere.example`, password: 'a long passphrase' } }),
        expected: publicRoute(401),
      },
      'POST /v1/portal/password-reset': { prepare: async () => ({ path: '/v1/portal/password-reset', body: { email: `${randomUUID()}@nowhere.example` } }), expected: publicRoute(202) },
      'POST /v1/portal/password-reset/confirm': {
        prepare: async () => ({ path: '/v1/portal/password-reset/confirm', body: { token: `unknown-${randomUUID()}`, password: 'a long passphrase' } }),
        expected: publicRoute(400),
      },
      'GET /v1/portal/me': {
        prepare: async () => ({ path: '/v1/portal/me' }),
        expected: portalRoute(200),
        check: (caller, response) => {
          if (caller === 'portal') expect(response.body.contactId).toBe(portal.contactId);
          if (caller === 'portalOtherCompany') expect(response.body.contactId).toBe(portalOther.contactId);
        },
      },
      'PATCH /v1/portal/me': { prepare: async () => ({ path: '/v1/portal/me', body: { phone: '+81 3 1234 5678' } }), expected: portalRoute(200) },
      // Each portal caller signs out a session of its own, made for the call.
      'POST /v1/portal/sessions/current/sign-out': {
        prepare: async () => ({ path: '/v1/portal/sessions/current/sign-out', ...(await freshSessions()) }),
        expected: portalRoute(204),
        after: freshSessions,
      },
      'POST /v1/portal/sessions/all/sign-out': {
        prepare: async () => ({ path: '/v1/portal/sessions/all/sign-out', ...(await freshSessions()) }),
        expected: portalRoute(200),
        after: freshSessions,
      },
      'PATCH /v1/portal/me/preferences': { prepare: async () => ({ path: '/v1/portal/me/preferences', body: { timeFormat: '12h' } }), expected: portalRoute(200) },
      'POST /v1/portals': {
        prepare: async () => ({ path: '/v1/portals', body: { slug: `sec-${randomUUID().slice(0, 8)}` } }),
        expected: staff(['admin'], 201, 201),
      },
      'GET /v1/portals': {
        prepare: async () => ({ path: `/v1/portals?limit=200&minPosition=${(await operatorPortal()).position}` }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 200),
        check: (caller, response) => {
          const ids = response.body.items.map((p: { id: string }) => p.id);
          if (caller === 'otherOrgAdmin') expect(ids).not.toContain(operatorPortalId);
          else expect(ids).toContain(operatorPortalId);
        },
      },
      'GET /v1/portals/{portalId}': {
        prepare: async () => ({ path: `/v1/portals/${(await operatorPortal()).id}` }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 404),
      },
      'PATCH /v1/portals/{portalId}': {
        prepare: async () => ({ path: `/v1/portals/${(await operatorPortal()).id}`, body: { name: `Portal ${randomUUID()}` } }),
        expected: staff(['admin'], 200, 404),
      },
      'PUT /v1/portals/{portalId}/templates/{language}': {
        prepare: async () => ({
          path: `/v1/portals/${(await operatorPortal()).id}/templates/pt-BR`,
          body: { subject: `Convite ${randomUUID()}`, body: 'Olá {{contactName}}: {{acceptUrl}}' },
        }),
        expected: staff(['admin'], 200, 404),
      },
      'DELETE /v1/portals/{portalId}/templates/{language}': {
        prepare: async () => {
          const { id } = await operatorPortal();
          expect((await call('PUT', `/v1/portals/${id}/templates/fr`, { subject: 'Invitation', body: 'Bonjour {{contactName}}: {{acceptUrl}}' })).status).toBe(200);
          return { path: `/v1/portals/${id}/templates/fr` };
        },
        expected: staff(['admin'], 200, 404),
      },
      'POST /v1/portals/{portalId}/user-types': {
        prepare: async () => ({
          path: `/v1/portals/${(await operatorPortal()).id}/user-types`,
          body: { name: `Type ${randomUUID()}`, modules: { timesheets: { view: true, create: true } } },
        }),
        expected: staff(['admin'], 201, 404),
      },
      'PATCH /v1/portals/{portalId}/user-types/{userTypeId}': {
        prepare: async () => ({
          path: `/v1/portals/${(await operatorPortal()).id}/user-types/${await operatorUserType()}`,
          body: { name: `Type ${randomUUID()}` },
        }),
        expected: staff(['admin'], 200, 404),
      },
      'GET /v1/portals/{portalId}/preview': {
        prepare: async () => ({ path: `/v1/portals/${(await operatorPortal()).id}/preview?userTypeId=${await operatorUserType()}` }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 404),
      },
      'POST /v1/imports/contacts': {
        prepare: async () => {
          await importedFile();
          return { path: '/v1/imports/contacts', body: IMPORT_CSV, headers: { 'content-type': 'text/csv' } };
        },
        expected: staff(['admin', 'agent'], 202, 202),
      },
      'GET /v1/documents/{documentId}': {
        prepare: async () => {
          const quote = await operatorQuote();
          return { path: `/v1/documents/${quote.id}?minPosition=${quote.position}` };
        },
        expected: staff(['admin', 'agent', 'reporter'], 200, 404),
      },
      'GET /v1/documents/{documentId}/comments': {
        prepare: async () => ({ path: `/v1/documents/${(await operatorQuote()).id}/comments` }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 404),
      },
      'POST /v1/documents/{documentId}/comments': {
        prepare: async () => ({ path: `/v1/documents/${(await operatorQuote()).id}/comments`, body: { text: 'A comment from staff' } }),
        expected: staff(['admin', 'agent'], 201, 404),
      },
      'GET /v1/clients/{clientId}/documents': {
        prepare: async () => ({ path: `/v1/clients/${portal.clientId}/documents?viewed=false&minPosition=${(await operatorQuote()).position}` }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 404),
      },
      'GET /v1/portal/documents/{documentId}': {
        prepare: async () => ({ path: `/v1/portal/documents/${(await operatorQuote()).id}` }),
        expected: { default: 401, portal: 200, portalOtherCompany: 404 },
      },
      'GET /v1/portal/documents/{documentId}/comments': {
        prepare: async () => ({ path: `/v1/portal/documents/${(await operatorQuote()).id}/comments` }),
        expected: { default: 401, portal: 200, portalOtherCompany: 404 },
      },
      'POST /v1/portal/documents/{documentId}/comments': {
        prepare: async () => ({ path: `/v1/portal/documents/${(await operatorQuote()).id}/comments`, body: { text: 'A comment from the client' } }),
        expected: { default: 401, portal: 201, portalOtherCompany: 404 },
      },
      'GET /v1/notifications': {
        prepare: async () => ({ path: `/v1/notifications?limit=200&minPosition=${(await operatorNotification()).position}` }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 200),
        check: (caller, response) => {
          const ids = response.body.items.map((n: { id: string }) => n.id);
          if (caller === 'otherOrgAdmin') expect(ids).not.toContain(operatorNotificationId);
          else expect(ids).toContain(operatorNotificationId);
        },
      },
      'POST /v1/notifications/{notificationId}/read': {
        prepare: async () => ({ path: `/v1/notifications/${(await operatorNotification()).id}/read` }),
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'GET /v1/organization': {
        prepare: async () => ({ path: '/v1/organization' }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 200),
        check: (caller, response) => expect(response.body.id === otherOrg.id).toBe(caller === 'otherOrgAdmin'),
      },
      'PATCH /v1/organization/settings': {
        prepare: async () => ({ path: '/v1/organization/settings', body: { portalDocumentVisibility: 'company', notificationEmail: null } }),
        expected: staff(['admin'], 200, 200),
      },
      'GET /v1/imports/{importId}': { prepare: async () => ({ path: `/v1/imports/${await importedFile()}` }), expected: staff(['admin', 'agent', 'reporter'], 200, 404) },
      // Quotes and invoices: each case shares a fresh document with the operator portal user's company.
      ...(() => {
        const lines = [{ description: 'Staff', quantity: '2', unitPrice: '50.00' }];
        const quoteBody = () => ({ clientId: portal.clientId, number: `Q-${randomUUID()}`, issueDate: '2026-01-01', validUntil: '2099-12-31', currency: 'EUR', lines, link: 'https://erp.example/q' });
        const invoiceBody = () => ({ clientId: portal.clientId, number: `I-${randomUUID()}`, issueDate: '2026-01-01', dueDate: '2099-12-31', currency: 'EUR', lines, link: 'https://erp.example/i' });
        const shared = async (kind: 'quotes' | 'invoices') => {
          const response = await call('POST', `/v1/${kind}`, kind === 'quotes' ? quoteBody() : invoiceBody());
          expect(response.status).toBe(201);
          return response.body.id as string;
        };
        const payment = { amount: '1.00', method: 'bank-transfer', reference: 'sec' };
        // Portal users of the table have no user type: view-only, so approving is 403 for both.
        const portalOwn = (status: number, approve = false) => ({ default: 401, portal: status, portalOtherCompany: approve ? status : 404 });
        const noOtherCompanyRows = (caller: Caller, response: Response) => {
          if (caller === 'portalOtherCompany' || caller === 'otherOrgAdmin') expect(JSON.stringify(response.body)).not.toContain(portal.clientId);
        };
        const cases: Record<string, RouteCase> = {
          'POST /v1/quotes': { prepare: async () => ({ path: '/v1/quotes', body: quoteBody() }), expected: staff(['admin', 'agent'], 201, 404) },
          'GET /v1/quotes': { prepare: async () => { await shared('quotes'); return { path: `/v1/quotes?limit=200&minPosition=${await head()}` }; }, expected: staff(['admin', 'agent', 'reporter'], 200, 200), check: noOtherCompanyRows },
          'GET /v1/quotes/{quoteId}': { prepare: async () => ({ path: `/v1/quotes/${await shared('quotes')}` }), expected: staff(['admin', 'agent', 'reporter'], 200, 404) },
          'POST /v1/quotes/{quoteId}/withdraw': { prepare: async () => ({ path: `/v1/quotes/${await shared('quotes')}/withdraw`, body: {} }), expected: staff(['admin', 'agent'], 200, 404) },
          'POST /v1/invoices': { prepare: async () => ({ path: '/v1/invoices', body: invoiceBody() }), expected: staff(['admin', 'agent'], 201, 404) },
          'GET /v1/invoices': { prepare: async () => { await shared('invoices'); return { path: `/v1/invoices?limit=200&minPosition=${await head()}` }; }, expected: staff(['admin', 'agent', 'reporter'], 200, 200), check: noOtherCompanyRows },
          'GET /v1/invoices/{invoiceId}': { prepare: async () => ({ path: `/v1/invoices/${await shared('invoices')}` }), expected: staff(['admin', 'agent', 'reporter'], 200, 404) },
          'POST /v1/invoices/{invoiceId}/payments': { prepare: async () => ({ path: `/v1/invoices/${await shared('invoices')}/payments`, body: payment }), expected: staff(['admin', 'agent'], 201, 404) },
          'GET /v1/portal/quotes': { prepare: async () => { await shared('quotes'); return { path: `/v1/portal/quotes?limit=200&minPosition=${await head()}` }; }, expected: portalRoute(200), check: noOtherCompanyRows },
          'GET /v1/portal/quotes/{quoteId}': { prepare: async () => ({ path: `/v1/portal/quotes/${await shared('quotes')}` }), expected: portalOwn(200) },
          'POST /v1/portal/quotes/{quoteId}/accept': { prepare: async () => ({ path: `/v1/portal/quotes/${await shared('quotes')}/accept` }), expected: portalOwn(403, true) },
          'POST /v1/portal/quotes/{quoteId}/decline': { prepare: async () => ({ path: `/v1/portal/quotes/${await shared('quotes')}/decline`, body: { reason: 'no' } }), expected: portalOwn(403, true) },
          'GET /v1/portal/invoices': { prepare: async () => { await shared('invoices'); return { path: `/v1/portal/invoices?limit=200&minPosition=${await head()}` }; }, expected: portalRoute(200), check: noOtherCompanyRows },
          'GET /v1/portal/invoices/{invoiceId}': { prepare: async () => ({ path: `/v1/portal/invoices/${await shared('invoices')}` }), expected: portalOwn(200) },
          'POST /v1/portal/invoices/{invoiceId}/payments': { prepare: async () => ({ path: `/v1/portal/invoices/${await shared('invoices')}/payments`, body: payment }), expected: portalOwn(403, true) },
        };
        return cases;
      })(),
      // Shifts and timesheets: each case publishes or submits a fresh one for the operator portal user's company.
      ...(() => {
        const shiftBody = () => ({ clientId: portal.clientId, staffMember: { name: 'Sec Worker' }, start: '2026-03-02T08:00:00+09:00', end: '2026-03-02T17:00:00+09:00' });
        const timesheetBody = () => ({ staffMember: { name: 'Sec Worker' }, entries: [{ date: '2026-03-02', start: '08:00', end: '17:00', breakMinutes: 60 }] });
        const written = async (path: string, body: unknown) => {
          const response = await call('POST', path, body);
          expect(response.status).toBe(201);
          return { id: response.body.id as string, position: response.body.position as number };
        };
        const newShift = () => written('/v1/shifts', shiftBody());
        const newTimesheet = () => written('/v1/timesheets', { clientId: portal.clientId, ...timesheetBody() });
        // Portal users of the table have no user type: view-only, so creating, approving and editing are 403 for both.
        const ownCompany = { default: 401, portal: 200, portalOtherCompany: 404 };
        const viewOnly = { default: 401, portal: 403, portalOtherCompany: 403 };
        const notTheirs = (caller: Caller, response: Response) => {
          if (caller === 'portalOtherCompany' || caller === 'otherOrgAdmin') expect(JSON.stringify(response.body)).not.toContain(portal.clientId);
          else expect(JSON.stringify(response.body)).toContain(portal.clientId);
        };
        const cases: Record<string, RouteCase> = {
          'POST /v1/shifts': { prepare: async () => ({ path: '/v1/shifts', body: shiftBody() }), expected: staff(['admin', 'agent'], 201, 404) },
          'PATCH /v1/shifts/{shiftId}': { prepare: async () => ({ path: `/v1/shifts/${(await newShift()).id}`, body: { location: 'Dock 4' } }), expected: staff(['admin', 'agent'], 200, 404) },
          'POST /v1/shifts/{shiftId}/cancel': { prepare: async () => ({ path: `/v1/shifts/${(await newShift()).id}/cancel`, body: {} }), expected: staff(['admin', 'agent'], 200, 404) },
          'GET /v1/shifts': { prepare: async () => ({ path: `/v1/shifts?limit=200&minPosition=${(await newShift()).position}` }), expected: staff(['admin', 'agent', 'reporter'], 200, 200), check: notTheirs },
          'GET /v1/shifts/{shiftId}': { prepare: async () => { const s = await newShift(); return { path: `/v1/shifts/${s.id}?minPosition=${s.position}` }; }, expected: staff(['admin', 'agent', 'reporter'], 200, 404) },
          'GET /v1/portal/shifts': { prepare: async () => ({ path: `/v1/portal/shifts?limit=200&minPosition=${(await newShift()).position}` }), expected: portalRoute(200), check: notTheirs },
          'GET /v1/portal/shifts/{shiftId}': { prepare: async () => { const s = await newShift(); return { path: `/v1/portal/shifts/${s.id}?minPosition=${s.position}` }; }, expected: ownCompany },
          'POST /v1/timesheets': { prepare: async () => ({ path: '/v1/timesheets', body: { clientId: portal.clientId, ...timesheetBody() } }), expected: staff(['admin', 'agent'], 201, 404) },
          'POST /v1/timesheets/{timesheetId}/approve': { prepare: async () => ({ path: `/v1/timesheets/${(await newTimesheet()).id}/approve` }), expected: staff(['admin', 'agent'], 200, 404) },
          'POST /v1/timesheets/{timesheetId}/reject': { prepare: async () => ({ path: `/v1/timesheets/${(await newTimesheet()).id}/reject`, body: { reason: 'no' } }), expected: staff(['admin', 'agent'], 200, 404) },
          'GET /v1/timesheets': { prepare: async () => ({ path: `/v1/timesheets?limit=200&minPosition=${(await newTimesheet()).position}` }), expected: staff(['admin', 'agent', 'reporter'], 200, 200), check: notTheirs },
          'GET /v1/timesheets/{timesheetId}': { prepare: async () => { const t = await newTimesheet(); return { path: `/v1/timesheets/${t.id}?minPosition=${t.position}` }; }, expected: staff(['admin', 'agent', 'reporter'], 200, 404) },
          'GET /v1/portal/timesheets': { prepare: async () => ({ path: `/v1/portal/timesheets?limit=200&minPosition=${(await newTimesheet()).position}` }), expected: portalRoute(200), check: notTheirs },
          'GET /v1/portal/timesheets/{timesheetId}': { prepare: async () => { const t = await newTimesheet(); return { path: `/v1/portal/timesheets/${t.id}?minPosition=${t.position}` }; }, expected: ownCompany },
          'POST /v1/portal/timesheets': { prepare: async () => ({ path: '/v1/portal/timesheets', body: timesheetBody() }), expected: viewOnly },
          'POST /v1/portal/timesheets/{timesheetId}/approve': { prepare: async () => ({ path: `/v1/portal/timesheets/${(await newTimesheet()).id}/approve` }), expected: viewOnly },
          'POST /v1/portal/timesheets/{timesheetId}/reject': { prepare: async () => ({ path: `/v1/portal/timesheets/${(await newTimesheet()).id}/reject`, body: { reason: 'no' } }), expected: viewOnly },
          'POST /v1/portal/timesheets/{timesheetId}/resubmit': { prepare: async () => ({ path: `/v1/portal/timesheets/${(await newTimesheet()).id}/resubmit`, body: timesheetBody() }), expected: viewOnly },
        };
        return cases;
      })(),
      // Projects: each case makes a fresh project of the operator with a company and a client user (a contact without email: never invited).
      ...(() => {
        let lastProject = '';
        const newContact = async (clientId: string) => (await call('POST', `/v1/clients/${clientId}/contacts`, { name: 'Pat Project' })).body.id as string;
        const fresh = async () => {
          const clientId = (await call('POST', '/v1/clients', { name: 'Project Co' })).body.id as string;
          const created = await call('POST', '/v1/projects', { name: `Project ${randomUUID()}`, billingMethod: 'staff-hours' });
          expect(created.status).toBe(201);
          const projectId = created.body.id as string;
          expect((await call('POST', `/v1/projects/${projectId}/clients`, { clientId })).status).toBe(200);
          const contactId = await newContact(clientId);
          expect((await call('POST', `/v1/projects/${projectId}/client-users`, { contactId })).status).toBe(201);
          lastProject = projectId;
          return { clientId, projectId, contactId, user: `/v1/projects/${projectId}/client-users/${contactId}` };
        };
        const writes = (success: number) => staff(['admin', 'agent'], success, 404);
        const reads = staff(['admin', 'agent', 'reporter'], 200, 404);
        const noOperatorProject = (caller: Caller, response: Response) => {
          if (caller === 'otherOrgAdmin') expect(JSON.stringify(response.body)).not.toContain(lastProject);
          else expect(JSON.stringify(response.body)).toContain(lastProject);
        };
        const cases: Record<string, RouteCase> = {
          'POST /v1/projects': { prepare: async () => ({ path: '/v1/projects', body: { name: `Project ${randomUUID()}`, billingMethod: 'none' } }), expected: staff(['admin', 'agent'], 201, 201) },
          'GET /v1/projects': { prepare: async () => { await fresh(); return { path: `/v1/projects?limit=200&minPosition=${await head()}` }; }, expected: staff(['admin', 'agent', 'reporter'], 200, 200), check: noOperatorProject },
          'GET /v1/projects/{projectId}': { prepare: async () => ({ path: `/v1/projects/${(await fresh()).projectId}` }), expected: reads },
          'PATCH /v1/projects/{projectId}': { prepare: async () => ({ path: `/v1/projects/${(await fresh()).projectId}`, body: { name: 'Renamed' } }), expected: writes(200) },
          'POST /v1/projects/{projectId}/archive': { prepare: async () => ({ path: `/v1/projects/${(await fresh()).projectId}/archive` }), expected: writes(200) },
          'POST /v1/projects/from-deal': {
            prepare: async () => ({ path: '/v1/projects/from-deal', body: { dealName: `Deal ${randomUUID()}`, company: { name: `Deal Co ${randomUUID()}` }, contacts: [{ name: 'Pat Deal' }] } }),
            expected: staff(['admin', 'agent'], 200, 200),
          },
          'POST /v1/projects/{projectId}/clients': {
            prepare: async () => ({ path: `/v1/projects/${(await fresh()).projectId}/clients`, body: { clientId: (await call('POST', '/v1/clients', { name: 'Second Co' })).body.id } }),
            expected: writes(200),
          },
          'DELETE /v1/projects/{projectId}/clients/{clientId}': { prepare: async () => { const f = await fresh(); return { path: `/v1/projects/${f.projectId}/clients/${f.clientId}` }; }, expected: writes(200) },
          'PUT /v1/projects/{projectId}/primary-client': { prepare: async () => { const f = await fresh(); return { path: `/v1/projects/${f.projectId}/primary-client`, body: { clientId: f.clientId } }; }, expected: writes(200) },
          'POST /v1/projects/{projectId}/client-users': {
            prepare: async () => { const f = await fresh(); return { path: `/v1/projects/${f.projectId}/client-users`, body: { contactId: await newContact(f.clientId), hourlyRate: { amount: '40.00', currency: 'EUR' } } }; },
            expected: writes(201),
          },
          'GET /v1/projects/{projectId}/client-users/{contactId}': { prepare: async () => ({ path: (await fresh()).user }), expected: reads },
          'PATCH /v1/projects/{projectId}/client-users/{contactId}': { prepare: async () => ({ path: (await fresh()).user, body: { hourlyRate: { amount: '50', currency: 'EUR' } } }), expected: writes(200) },
          'DELETE /v1/projects/{projectId}/client-users/{contactId}': { prepare: async () => ({ path: (await fresh()).user, body: { notify: false } }), expected: writes(200) },
          'GET /v1/projects/{projectId}/client-users/{contactId}/permissions': { prepare: async () => ({ path: `${(await fresh()).user}/permissions` }), expected: reads },
          'PUT /v1/projects/{projectId}/client-users/{contactId}/permissions': {
            prepare: async () => ({ path: `${(await fresh()).user}/permissions`, body: { modules: { quotes: { view: true, approve: true } } } }),
            expected: writes(200),
          },
          'DELETE /v1/projects/{projectId}/client-users/{contactId}/permissions': {
            prepare: async () => {
              const f = await fresh();
              expect((await call('PUT', `${f.user}/permissions`, { modules: { quotes: { view: true } } })).status).toBe(200);
              return { path: `${f.user}/permissions` };
            },
            expected: writes(200),
          },
          'POST /v1/projects/{projectId}/client-users/{contactId}/permissions/clone': {
            prepare: async () => {
              const f = await fresh();
              expect((await call('PUT', `${f.user}/permissions`, { modules: { quotes: { view: true } } })).status).toBe(200);
              const other = await newContact(f.clientId);
              expect((await call('POST', `/v1/projects/${f.projectId}/client-users`, { contactId: other })).status).toBe(201);
              return { path: `${f.user}/permissions/clone`, body: { contactIds: [other] } };
            },
            expected: writes(200),
          },
          'POST /v1/contacts/{contactId}/projects': {
            prepare: async () => {
              const f = await fresh();
              const second = (await call('POST', '/v1/projects', { name: `Project ${randomUUID()}`, billingMethod: 'none' })).body.id;
              expect((await call('POST', `/v1/projects/${second}/clients`, { clientId: f.clientId })).status).toBe(200);
              return { path: `/v1/contacts/${await newContact(f.clientId)}/projects`, body: { projectIds: [f.projectId, second] } };
            },
            expected: writes(200),
          },
          'GET /v1/contacts/{contactId}/projects': { prepare: async () => ({ path: `/v1/contacts/${(await fresh()).contactId}/projects?minPosition=${await head()}` }), expected: reads, check: (caller, response) => expect(response.body.items.length).toBe(1) },
          'PUT /v1/contacts/{contactId}/hourly-rate': { prepare: async () => ({ path: `/v1/contacts/${(await fresh()).contactId}/hourly-rate`, body: { hourlyRate: { amount: '35.00', currency: 'EUR' } } }), expected: writes(200) },
          // The table's portal users are in no project: their list is empty.
          'GET /v1/portal/projects': { prepare: async () => { await fresh(); return { path: '/v1/portal/projects' }; }, expected: portalRoute(200), check: (_caller, response) => expect(response.body.items).toEqual([]) },
        };
        return cases;
      })(),
      'POST /v1/portal/registrations': {
        prepare: async () => ({
          path: '/v1/portal/registrations',
          body: { portalSlug: (await selfRegistrationPortal()).slug, email: `${randomUUID()}@registrant.example`, name: 'Pat', companyName: 'Registrant Co' },
        }),
        // Public, and the same answer for everyone: no account enumeration.
        expected: publicRoute(202),
      },
      'GET /v1/portals/{portalId}/registrations': {
        prepare: async () => ({ path: `/v1/portals/${(await selfRegistrationPortal()).id}/registrations?limit=200&minPosition=${await head()}` }),
        expected: staff(['admin', 'agent', 'reporter'], 200, 404),
      },
      'POST /v1/registrations/{registrationId}/approve': {
        prepare: async () => ({ path: `/v1/registrations/${await pendingRegistration()}/approve`, body: {} }),
        expected: staff(['admin', 'agent'], 200, 404),
      },
      'POST /v1/registrations/{registrationId}/reject': {
        prepare: async () => ({ path: `/v1/registrations/${await pendingRegistration()}/reject`, body: { reason: 'test' } }),
        expected: staff(['admin', 'agent'], 200, 404),
      },
    };

    // A quote shared with the portal user's company, and a notification of a portal user's action, made once.
    let sharedQuote: Promise<{ id: string; position: number }> | undefined;
    const operatorQuote = () =>
      (sharedQuote ??= (async () => {
        const shared = await call('POST', '/v1/quotes', {
          clientId: portal.clientId,
          number: `Q-${randomUUID().slice(0, 8)}`,
          issueDate: new Date().toISOString().slice(0, 10),
          validUntil: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
          currency: 'EUR',
          lines: [{ description: 'Staffing', quantity: '1', unitPrice: '100.00' }],
          link: 'https://erp.example/quotes/1',
        });
        expect(shared.status).toBe(201);
        return { id: shared.body.id as string, position: shared.body.position as number };
      })());
    let notified: Promise<{ id: string; position: number }> | undefined;
    let operatorNotificationId = '';
    const operatorNotification = () =>
      (notified ??= (async () => {
        const changed = await call('PATCH', '/v1/portal/me/preferences', { country: 'FR' }, as(portal.session));
        expect(changed.status).toBe(200);
        const feed = await call('GET', `/v1/notifications?limit=200&minPosition=${changed.body.position}`);
        operatorNotificationId = feed.body.items.find((n: { type: string; contactId: string }) => n.type === 'PortalPreferencesChanged' && n.contactId === portal.contactId).id;
        return { id: operatorNotificationId, position: changed.body.position as number };
      })());
    // The operator's default portal, and one user type of it, made once.
    let defaultPortal: Promise<{ id: string; position: number }> | undefined;
    let operatorPortalId = '';
    const operatorPortal = () =>
      (defaultPortal ??= (async () => {
        const list = await call('GET', '/v1/portals?limit=200');
        const found = list.body.items.find((p: { isDefault: boolean }) => p.isDefault);
        expect(found).toBeDefined();
        operatorPortalId = found.id;
        return { id: found.id as string, position: await head() };
      })());
    let userType: Promise<string> | undefined;
    const operatorUserType = () =>
      (userType ??= (async () => {
        const created = await call('POST', `/v1/portals/${(await operatorPortal()).id}/user-types`, { name: 'Security viewer', modules: { documents: { view: true } } });
        expect(created.status).toBe(201);
        return created.body.id as string;
      })());
    // Self-registration on for the operator's default portal (once), and a fresh pending request of it.
    let selfRegistration: Promise<{ id: string; slug: string }> | undefined;
    const selfRegistrationPortal = () =>
      (selfRegistration ??= (async () => {
        const { id } = await operatorPortal();
        const updated = await call('PATCH', `/v1/portals/${id}`, { selfRegistration: true });
        expect(updated.status).toBe(200);
        return { id, slug: updated.body.slug as string };
      })());
    const pendingRegistration = async () => {
      const { id, slug } = await selfRegistrationPortal();
      const email = `${randomUUID()}@registrant.example`;
      expect((await call('POST', '/v1/portal/registrations', { portalSlug: slug, email, name: 'Pat', companyName: 'Registrant Co' }, anonymous)).status).toBe(202);
      const list = await call('GET', `/v1/portals/${id}/registrations?status=Pending&limit=200&minPosition=${await head()}`);
      const found = list.body.items.find((r: { email: string }) => r.email === email);
      expect(found).toBeDefined();
      return found.id as string;
    };

    it('covers every route of the OpenAPI document', async () => {
      const docs = await api.request('GET', '/docs/openapi.json');
      const operations = Object.entries(docs.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(Object.keys(ROUTES).filter((r) => !['GET /health', 'GET /metrics'].includes(r)).sort()).toEqual(
        operations.filter((r) => !['GET /health', 'GET /metrics'].includes(r)).sort(),
      );
    });

    it.each(Object.keys(ROUTES))('%s answers each caller as the rules say, and a refusal writes nothing', async (route) => {
      const [method] = route.split(' ');
      const routeCase = ROUTES[route];
      const outcomes: string[] = [];
      for (const caller of CALLERS) {
        const { path, body, headers } = await routeCase.prepare();
        const before = await head();
        const response = await call(method, path, body, { ...headers, ...credentials[caller] });
        const expected = routeCase.expected[caller] ?? routeCase.expected.default;
        outcomes.push(`${caller}: ${response.status}${response.status === expected ? '' : ` (expected ${expected})`}`);
        if (response.status >= 400) {
          expect(response.headers.get('content-type')).toContain('application/problem+json');
          if (!['POST /v1/portal/password-reset'].includes(route)) expect(await head()).toBe(before);
        } else {
          routeCase.check?.(caller, response);
        }
      }
      await routeCase.after?.();
      expect(outcomes.filter((o) => o.includes('expected'))).toEqual([]);
    });
  });

  describe('secrets', () => {
    it('never appear in logs, events, read models or error bodies', async () => {
      const passwords = ['a long and unusual passphrase', 'a brand new passphrase', 'correct horse battery staple'];
      const all = [...secrets, ...passwords];
      expect(all.length).toBeGreaterThan(10);
      const stores = readdirSync(api.dataDir).filter((f) => f.endsWith('.sqlite'));
      expect(stores).toEqual(expect.arrayContaining(['events.sqlite', 'read-models.sqlite']));
      const dumps: Record<string, string> = {};
      for (const file of stores) {
        const db = new Database(join(api.dataDir, file), { readonly: true });
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
        dumps[file] = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all(), (_k, v) => (typeof v === 'bigint' ? String(v) : v))).join('\n');
        db.close();
      }
      const places: Record<string, string> = { logs: logs.join(''), 'response bodies': bodies.join('\n'), ...dumps };
      expect(places.logs).toContain('Nest'); // the logs were captured
      for (const [place, text] of Object.entries(places)) {
        const found = all.filter((secret) => text.includes(secret));
        const leaked = place === 'response bodies' ? found.filter((secret) => !isShownOnce(secret)) : found;
        expect({ place, leaked }).toEqual({ place, leaked: [] });
      }
    });

    /** Keys and session tokens are in the one response that hands them out; nothing else. */
    function isShownOnce(secret: string): boolean {
      const count = bodies.filter((body) => body.includes(secret)).length;
      return (secret.startsWith('cpk_') || secret.startsWith('cps_')) && count === 1;
    }
  });
});

async function waitForEmail(api: TestApp, match: (content: string) => boolean): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = (await api.outbox()).find((m) => match(m.content));
    if (found) return found.content;
    if (Date.now() > deadline) throw new Error('email not written within 5 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
