import { removeDataDir, startApp, TestApp, tokenIn } from '../support/app';

/**
 * Invitation and reset tokens are derived from the event's ids and signed (HMAC under
 * TOKEN_KEYS, with a key id): nothing secret is stored, the email is composed after the
 * commit by a reactor, and only a token this service signed, for the current invitation,
 * unexpired and unused, is accepted.
 */
describe('invitation tokens (e2e)', () => {
  let api: TestApp;
  const anonymous = { authorization: '' };
  const password = 'a long and unusual passphrase';

  beforeAll(async () => {
    api = await startApp({ INVITE_RESEND_COOLDOWN_SECONDS: '0' });
  });
  afterAll(async () => {
    await api?.close();
    removeDataDir(api.dataDir);
  });

  async function invited(email: string): Promise<{ contactId: string; token: string }> {
    const client = await api.request('POST', '/v1/clients', { name: `Tokens ${email}` });
    const contact = await api.request('POST', `/v1/clients/${client.body.id}/contacts`, { name: 'Tom', email });
    expect((await api.request('POST', `/v1/contacts/${contact.body.id}/portal-access/invite`)).status).toBe(200);
    const message = (await api.outbox()).filter((m) => m.content.includes(`To: ${email}`)).at(-1)!;
    return { contactId: contact.body.id, token: tokenIn(message.content) };
  }
  const accept = (token: string) => api.request('POST', '/v1/portal/invitations/accept', { token, password }, anonymous);

  it('refuses a tampered token (any character changed) as not valid (400), and accepts the genuine one once', async () => {
    const { token } = await invited('tamper@tokens.example');
    const position = Math.floor(token.length / 2);
    const flipped = `${token.slice(0, position)}${token[position] === 'A' ? 'B' : 'A'}${token.slice(position + 1)}`;
    for (const bad of [flipped, token.slice(0, -1), `${token}A`, token.toLowerCase()]) {
      const refused = await accept(bad);
      expect({ status: refused.status, type: refused.body.type }).toEqual({ status: 400, type: '/problems/invalid-token' });
    }
    expect((await accept(token)).status).toBe(200);
    const again = await accept(token);
    expect({ status: again.status, reason: again.body.reason }).toEqual({ status: 410, reason: 'used' });
  });

  it('refuses a token signed by another server (another key), and a superseded one', async () => {
    const other = await startApp({ INVITE_RESEND_COOLDOWN_SECONDS: '0' });
    try {
      const client = await other.request('POST', '/v1/clients', { name: 'Elsewhere KK' });
      const contact = await other.request('POST', `/v1/clients/${client.body.id}/contacts`, { name: 'Eve', email: 'eve@elsewhere.example' });
      await other.request('POST', `/v1/contacts/${contact.body.id}/portal-access/invite`);
      const foreign = tokenIn((await other.outbox()).at(-1)!.content);
      expect((await accept(foreign)).body.type).toBe('/problems/invalid-token');
    } finally {
      await other.close();
      removeDataDir(other.dataDir);
    }

    const { contactId, token: first } = await invited('superseded@tokens.example');
    expect((await api.request('POST', `/v1/contacts/${contactId}/portal-access/resend`)).status).toBe(200);
    const second = tokenIn((await api.outbox()).filter((m) => m.content.includes('To: superseded@tokens.example')).at(-1)!.content);
    expect(second).not.toBe(first);
    expect((await accept(first)).body.reason).toBe('superseded');
    expect((await accept(second)).status).toBe(200);
  });

  it('keeps working across a restart with the same DATA_DIR (the generated key is kept), and never puts the token in an event', async () => {
    const { token } = await invited('restart@tokens.example');
    const dataDir = api.dataDir;
    await api.close();
    api = await startApp({ INVITE_RESEND_COOLDOWN_SECONDS: '0' }, dataDir);
    expect((await accept(token)).status).toBe(200);
    const history = JSON.stringify((await api.request('GET', '/v1/audit?limit=200')).body);
    expect(history).not.toContain(token);
  });
});
