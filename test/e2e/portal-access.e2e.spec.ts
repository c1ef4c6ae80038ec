import { removeDataDir, startApp, TestApp, tokenIn } from '../support/app';

/** The invitation lifecycle end to end over real HTTP, on a temp DATA_DIR. */
describe('portal access lifecycle (e2e)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await startApp();
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  async function clientWithContact(contact: { name: string; email?: string } = { name: 'Ana Souza', email: 'Ana@Acme.example' }) {
    const client = await api.request('POST', '/v1/clients', { name: 'Acme Logistics', email: 'office@acme.example', website: 'https://acme.example' });
    expect(client.status).toBe(201);
    const created = await api.request('POST', `/v1/clients/${client.body.id}/contacts`, contact);
    expect(created.status).toBe(201);
    return { clientId: client.body.id as string, contactId: created.body.id as string, position: created.body.position as number };
  }

  async function headPosition(): Promise<number> {
    return (await api.request('GET', '/health')).body.headPosition;
  }

  it('serves health and the OpenAPI document without a key', async () => {
    const health = await api.request('GET', '/health', undefined, { authorization: '' });
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' }); // up; the positions are for the operator's admin key
    const docs = await api.request('GET', '/docs/openapi.json', undefined, { authorization: '' });
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/v1/clients', '/v1/contacts/{contactId}/portal-access/invite', '/v1/portal/invitations/accept', '/v1/audit']),
    );
    const ui = await fetch(`${api.url}/docs`);
    expect(ui.status).toBe(200);
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.apiKey}` } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('http_request_duration_ms_count{method="GET",route="/health",status="200"} 1');
    expect(text).toMatch(/projection_position\{projection="audit_v1"\} \d+/);
  });

  it('refuses staff routes without a valid API key, as problem+json', async () => {
    for (const authorization of ['', 'Bearer wrong-key', `Basic ${api.apiKey}`]) {
      const response = await api.request('POST', '/v1/clients', { name: 'Nope' }, { authorization });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status: 401, type: '/problems/unauthorized' });
    }
  });

  it('goes invite -> email -> accept -> disable -> enable, readable at each step', async () => {
    const { clientId, contactId } = await clientWithContact();
    const before = (await api.outbox()).length;

    const invited = await api.request('POST', `/v1/contacts/${contactId}/portal-access/invite`);
    expect(invited.status).toBe(200);
    expect(invited.body).toMatchObject({ status: 'Invited', contactId });
    expect(typeof invited.body.position).toBe('number');

    // The invitation email: portal URL, username and an accept link with the token.
    const emails = (await api.outbox()).slice(before);
    expect(emails).toHaveLength(1);
    const email = emails[0].content;
    expect(email).toContain('To: ana@acme.example');
    expect(email).toContain(`Portal: ${api.config.publicPortalUrl}`);
    expect(email).toContain('Username: ana@acme.example');
    const token = tokenIn(email);
    expect(token.length).toBeGreaterThanOrEqual(43);

    const status = await api.request('GET', `/v1/contacts/${contactId}/portal-access?minPosition=${invited.body.position}`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ contactId, clientId, email: 'ana@acme.example', status: 'Invited', invitationCount: 1, acceptedAt: null, disabledAt: null });
    expect(status.body.invitedAt).toBe(status.body.lastInvitedAt);

    // Inviting again: 409.
    const again = await api.request('POST', `/v1/contacts/${contactId}/portal-access/invite`);
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('/problems/already-invited');

    // Accepting: a short password is refused and changes nothing; then the real one.
    const short = await api.request('POST', '/v1/portal/invitations/accept', { token, password: 'short' }, { authorization: '' });
    expect(short.status).toBe(422);
    expect(short.body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
    const accepted = await api.request('POST', '/v1/portal/invitations/accept', { token, password: 'correct horse battery staple' }, { authorization: '' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('Active');
    const reused = await api.request('POST', '/v1/portal/invitations/accept', { token, password: 'another long password' }, { authorization: '' });
    expect(reused.status).toBe(410);
    expect(reused.body.reason).toBe('used');

    const active = await api.request('GET', `/v1/contacts/${contactId}/portal-access?minPosition=${accepted.body.position}`);
    expect(active.body).toMatchObject({ status: 'Active' });
    expect(active.body.acceptedAt).toEqual(expect.any(String));

    const disabled = await api.request('POST', `/v1/contacts/${contactId}/portal-access/disable`, { reason: 'Left the company' });
    expect(disabled.status).toBe(200);
    expect(disabled.body.status).toBe('Disabled');
    const disabledView = await api.request('GET', `/v1/contacts/${contactId}/portal-access?minPosition=${disabled.body.position}`);
    expect(disabledView.body).toMatchObject({ status: 'Disabled', disabledReason: 'Left the company' });

    const outboxBeforeEnable = (await api.outbox()).length;
    const enabled = await api.request('POST', `/v1/contacts/${contactId}/portal-access/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body.status).toBe('Active');
    expect((await api.outbox()).length).toBe(outboxBeforeEnable); // no new invitation for an accepted access

    // The audit history of the access, oldest first, with actor and channel, and no secret.
    const audit = await api.request('GET', `/v1/audit?subjectId=${invited.body.accessId}&minPosition=${enabled.body.position}`);
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((i: any) => i.type)).toEqual([
      'PortalUserSeatTaken',
      'ContactInvited',
      'InvitationAccepted',
      'PortalAccessDisabled',
      'PortalAccessEnabled',
    ]);
    expect(audit.body.items[0]).toMatchObject({ channel: 'api', actor: { kind: 'staff' } });
    expect(audit.body.items[2]).toMatchObject({ channel: 'portal', actor: { kind: 'portal-user', id: invited.body.accessId } });
    const positions = audit.body.items.map((i: any) => i.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const everything = JSON.stringify((await api.request('GET', '/v1/audit?limit=200')).body);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain('correct horse battery staple');
  });

  it('enables a never-accepted access back to Invited, with a fresh invitation email', async () => {
    const { contactId } = await clientWithContact({ name: 'Jean Dupont', email: 'jean@acme.example' });
    await api.request('POST', `/v1/contacts/${contactId}/portal-access/invite`);
    const firstToken = tokenIn((await api.outbox()).at(-1)!.content);
    await api.request('POST', `/v1/contacts/${contactId}/portal-access/disable`);
    const whileDisabled = await api.request('POST', '/v1/portal/invitations/accept', { token: firstToken, password: 'a good long password' }, { authorization: '' });
    expect(whileDisabled.status).toBe(410);

    const enabled = await api.request('POST', `/v1/contacts/${contactId}/portal-access/enable`);
    expect(enabled.body.status).toBe('Invited');
    const freshToken = tokenIn((await api.outbox()).at(-1)!.content);
    expect(freshToken).not.toBe(firstToken);
    const view = await api.request('GET', `/v1/contacts/${contactId}/portal-access?minPosition=${enabled.body.position}`);
    expect(view.body).toMatchObject({ status: 'Invited', invitationCount: 2 });

    expect((await api.request('POST', '/v1/portal/invitations/accept', { token: firstToken, password: 'a good long password' }, { authorization: '' })).body.reason).toBe(
      'superseded',
    );
    const accepted = await api.request('POST', '/v1/portal/invitations/accept', { token: freshToken, password: 'a good long password' }, { authorization: '' });
    expect(accepted.status).toBe(200);
  });

  it('refuses to invite a contact without an email (422), an unknown contact (404), and writes nothing', async () => {
    const { contactId } = await clientWithContact({ name: '山田 太郎' });
    const head = await headPosition();
    const noEmail = await api.request('POST', `/v1/contacts/${contactId}/portal-access/invite`);
    expect(noEmail.status).toBe(422);
    expect(noEmail.body.type).toBe('/problems/contact-has-no-email');
    const unknown = await api.request('POST', '/v1/contacts/0b9f5a52-4a8e-4b8e-9d1c-3f1f0f8c1a11/portal-access/invite');
    expect(unknown.status).toBe(404);
    const notAnId = await api.request('POST', '/v1/contacts/not-an-id/portal-access/invite');
    expect(notAnId.status).toBe(404);
    const none = await api.request('GET', `/v1/contacts/${contactId}/portal-access`);
    expect(none.status).toBe(404);
    expect(await headPosition()).toBe(head);
  });

  it('answers bad input with a clear 4xx problem and writes nothing', async () => {
    const { clientId } = await clientWithContact();
    const head = await headPosition();
    const cases: [string, string, unknown, number][] = [
      ['POST', '/v1/clients', {}, 422],
      ['POST', '/v1/clients', { name: '' }, 422],
      ['POST', '/v1/clients', { name: 'X', email: 'not-an-email' }, 422],
      ['POST', '/v1/clients', { name: 'X', unknownField: 1 }, 422],
      ['POST', '/v1/clients', { name: 42 }, 422],
      ['POST', '/v1/clients', '{"name": "broken', 400],
      ['POST', '/v1/clients', '[1,2]', 422],
      ['POST', '/v1/clients', '{"__proto__": {"admin": true}, "name": "X"}', 400],
      ['POST', `/v1/clients/${clientId}/contacts`, { name: 'X', email: 'nope' }, 422],
      ['POST', '/v1/clients/7d1c2b7e-0000-4000-8000-000000000000/contacts', { name: 'Nobody' }, 404],
      ['POST', '/v1/portal/invitations/accept', { token: 'x'.repeat(43), password: 'long enough password' }, 400],
      ['POST', '/v1/portal/invitations/accept', { password: 'long enough password' }, 422],
      ['GET', '/v1/portal-access?status=Sleeping', undefined, 422],
      ['GET', '/v1/portal-access?limit=0', undefined, 422],
      ['GET', '/v1/portal-access?cursor=%%%', undefined, 400],
      ['GET', '/v1/audit?minPosition=abc', undefined, 422],
    ];
    for (const [method, path, body, expected] of cases) {
      const response = await api.request(method, path, body, path.startsWith('/v1/portal/') ? { authorization: '' } : {});
      expect({ method, path, status: response.status }).toEqual({ method, path, status: expected });
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status: expected, type: expect.stringMatching(/^\/problems\//), title: expect.any(String) });
      expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack
    }
    expect(await headPosition()).toBe(head);
  });

  it('lists portal accesses by client and status, page by page', async () => {
    const client = await api.request('POST', '/v1/clients', { name: 'Paged Inc' });
    const contactIds: string[] = [];
    let position = 0;
    for (let i = 0; i < 5; i++) {
      const contact = await api.request('POST', `/v1/clients/${client.body.id}/contacts`, { name: `Person ${i}`, email: `p${i}@paged.example` });
      const invited = await api.request('POST', `/v1/contacts/${contact.body.id}/portal-access/invite`);
      contactIds.push(contact.body.id);
      position = invited.body.position;
    }
    const disabled = await api.request('POST', `/v1/contacts/${contactIds[0]}/portal-access/disable`);
    position = disabled.body.position;

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.request('GET', `/v1/portal-access?clientId=${client.body.id}&limit=2&minPosition=${position}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i: any) => i.contactId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...contactIds].sort());

    const invitedOnly = await api.request('GET', `/v1/portal-access?clientId=${client.body.id}&status=Invited`);
    expect(invitedOnly.body.items).toHaveLength(4);
    const disabledOnly = await api.request('GET', `/v1/portal-access?clientId=${client.body.id}&status=Disabled`);
    expect(disabledOnly.body.items.map((i: any) => i.contactId)).toEqual([contactIds[0]]);
  });

  it('applies a write with an Idempotency-Key at most once', async () => {
    const head = await headPosition();
    const headers = { 'idempotency-key': 'create-client-42' };
    const first = await api.request('POST', '/v1/clients', { name: 'Once Ltd' }, headers);
    const [second, third] = await Promise.all([
      api.request('POST', '/v1/clients', { name: 'Once Ltd' }, headers),
      api.request('POST', '/v1/clients', { name: 'Once Ltd' }, headers),
    ]);
    expect(first.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(third.body).toEqual(first.body);
    expect(await headPosition()).toBe(head + 1);
    const reused = await api.request('POST', '/v1/clients', { name: 'Something else' }, headers);
    expect(reused.status).toBe(422);
    expect(reused.body.type).toBe('/problems/idempotency-key-reused');
  });

  it('answers 503 when the read models cannot reach minPosition in time', async () => {
    // Projections not run by this process (as beside a separate projector that has stopped): the read models stay behind.
    const behind = await startApp({ RUN_PROJECTIONS: 'false', READ_WAIT_TIMEOUT_MS: '1000' });
    try {
      const written = await behind.request('POST', '/v1/clients', { name: 'Unread' });
      expect(written.status).toBe(201);
      const started = Date.now();
      const response = await behind.request('GET', `/v1/audit?minPosition=${written.body.position}`);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(Date.now() - started).toBeGreaterThanOrEqual(behind.config.readWaitTimeoutMs - 100);
    } finally {
      await behind.close();
      removeDataDir(behind.dataDir);
    }
  }, 20_000);

  it('refuses at once a minPosition beyond the head of the log, telling the head', async () => {
    const head = await headPosition();
    const started = Date.now();
    const response = await api.request('GET', `/v1/audit?minPosition=${head + 1000}`);
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({ type: '/problems/position-beyond-head', headPosition: head, errors: [{ field: 'minPosition' }] });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('invitation re-send and expiry (e2e)', () => {
  it('re-sends only after the cool-down, with a new token that supersedes the old', async () => {
    const strict = await startApp();
    const relaxed = await startApp({ INVITE_RESEND_COOLDOWN_SECONDS: '0' });
    try {
      for (const api of [strict, relaxed]) {
        const client = await api.request('POST', '/v1/clients', { name: 'Resend SA' });
        const contact = await api.request('POST', `/v1/clients/${client.body.id}/contacts`, { name: 'Maria', email: 'maria@resend.example' });
        await api.request('POST', `/v1/contacts/${contact.body.id}/portal-access/invite`);
        const oldToken = tokenIn((await api.outbox()).at(-1)!.content);
        const resent = await api.request('POST', `/v1/contacts/${contact.body.id}/portal-access/resend`);
        if (api === strict) {
          expect(resent.status).toBe(429);
          expect(Number(resent.headers.get('retry-after'))).toBeGreaterThan(86_000);
          expect(resent.body.type).toBe('/problems/resend-cooldown');
          expect((await api.outbox())).toHaveLength(1);
          continue;
        }
        expect(resent.status).toBe(200);
        const newToken = tokenIn((await api.outbox()).at(-1)!.content);
        expect(newToken).not.toBe(oldToken);
        const old = await api.request('POST', '/v1/portal/invitations/accept', { token: oldToken, password: 'long enough password' }, { authorization: '' });
        expect(old.status).toBe(410);
        expect(old.body.reason).toBe('superseded');
        const ok = await api.request('POST', '/v1/portal/invitations/accept', { token: newToken, password: 'long enough password' }, { authorization: '' });
        expect(ok.status).toBe(200);
        const view = await api.request('GET', `/v1/contacts/${contact.body.id}/portal-access?minPosition=${ok.body.position}`);
        expect(view.body).toMatchObject({ status: 'Active', invitationCount: 2 });
      }
    } finally {
      await strict.close();
      await relaxed.close();
      removeDataDir(strict.dataDir);
      removeDataDir(relaxed.dataDir);
    }
  });

  it('refuses an expired invitation with 410', async () => {
    const api = await startApp({ INVITE_TTL_SECONDS: '0' });
    try {
      const client = await api.request('POST', '/v1/clients', { name: 'Expired GmbH' });
      const contact = await api.request('POST', `/v1/clients/${client.body.id}/contacts`, { name: 'Kurt', email: 'kurt@expired.example' });
      await api.request('POST', `/v1/contacts/${contact.body.id}/portal-access/invite`);
      const response = await api.request('POST', '/v1/portal/invitations/accept', { token: tokenIn((await api.outbox())[0].content), password: 'long enough password' }, { authorization: '' });
      expect(response.status).toBe(410);
      expect(response.body.reason).toBe('expired');
    } finally {
      await api.close();
      removeDataDir(api.dataDir);
    }
  });
});

describe('restart (e2e)', () => {
  it('finds everything still there after a restart on the same DATA_DIR', async () => {
    const first = await startApp();
    const client = await first.request('POST', '/v1/clients', { name: 'Durable Co' });
    const contact = await first.request('POST', `/v1/clients/${client.body.id}/contacts`, { name: 'Dora', email: 'dora@durable.example' });
    const invited = await first.request('POST', `/v1/contacts/${contact.body.id}/portal-access/invite`);
    const token = tokenIn((await first.outbox())[0].content);
    await first.close();

    const second = await startApp({}, first.dataDir);
    try {
      const view = await second.request('GET', `/v1/contacts/${contact.body.id}/portal-access?minPosition=${invited.body.position}`);
      expect(view.body).toMatchObject({ status: 'Invited', email: 'dora@durable.example' });
      const accepted = await second.request('POST', '/v1/portal/invitations/accept', { token, password: 'long enough password' }, { authorization: '' });
      expect(accepted.status).toBe(200);
      const audit = await second.request('GET', `/v1/audit?minPosition=${accepted.body.position}`);
      // The operator organization, its default portal and its bootstrap key were recorded once, at the first start only.
      expect(audit.body.items.map((i: any) => i.type)).toEqual([
        'OrganizationCreated',
        'PortalSlugReserved',
        'PortalAdded',
        'PortalCreated',
        'ApiKeyIssued',
        'ClientCompanyRegistered',
        'ContactAdded',
        'PortalUserSeatTaken',
        'ContactInvited',
        'InvitationAccepted',
      ]);
    } finally {
      await second.close();
      removeDataDir(first.dataDir);
    }
  });
});
