import { removeDataDir, startApp, TestApp, tokenIn } from '../support/app';
import { signedInPortalUser } from '../support/portal-user';

/** Portal sessions end when they should, and stay ended. */
describe('portal sessions (e2e)', () => {
  let api: TestApp;
  const anonymous = { authorization: '' };
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const password = 'a long and unusual passphrase';

  beforeAll(async () => {
    api = await startApp();
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  async function portalUser() {
    const client = await api.request('POST', '/v1/clients', { name: 'Session Co' });
    const { email, contactId } = await signedInPortalUser(api, client.body.id, { name: 'Sam', password });
    return { email, contactId, signIn: () => signIn(email) };
  }

  async function signIn(email: string): Promise<string> {
    const session = await api.request('POST', '/v1/portal/sessions', { email, password }, anonymous);
    expect(session.status).toBe(200);
    return session.body.token;
  }

  const me = async (token: string) => (await api.request('GET', '/v1/portal/me', undefined, as(token))).status;

  it('issued before a disable stay ended when the access is enabled again; sessions begun after work', async () => {
    const user = await portalUser();
    const before = await user.signIn();
    expect(await me(before)).toBe(200);
    expect((await api.request('POST', `/v1/contacts/${user.contactId}/portal-access/disable`, { reason: 'left' })).status).toBe(200);
    expect(await me(before)).toBe(401);
    expect((await api.request('POST', `/v1/contacts/${user.contactId}/portal-access/enable`)).status).toBe(200);
    expect(await me(before)).toBe(401);
    const after = await user.signIn();
    expect(await me(after)).toBe(200);
  });

  it('issued before a revoke stay ended when the contact is invited and accepts again', async () => {
    const user = await portalUser();
    const before = await user.signIn();
    expect((await api.request('POST', `/v1/contacts/${user.contactId}/portal-access/revoke`, {})).status).toBe(200);
    expect((await api.request('POST', `/v1/contacts/${user.contactId}/portal-access/invite`)).status).toBe(200);
    const token = tokenIn((await api.outbox()).filter((m) => m.content.includes(`To: ${user.email}`)).at(-1)!.content);
    expect((await api.request('POST', '/v1/portal/invitations/accept', { token, password }, anonymous)).status).toBe(200);
    expect(await me(before)).toBe(401);
    expect(await me(await user.signIn())).toBe(200);
  });

  it('sign out one at a time: the session of the request ends, the others go on', async () => {
    const user = await portalUser();
    const laptop = await user.signIn();
    const phone = await user.signIn();
    const signedOut = await api.request('POST', '/v1/portal/sessions/current/sign-out', undefined, as(laptop));
    expect(signedOut.status).toBe(204);
    expect(await me(laptop)).toBe(401);
    expect((await api.request('POST', '/v1/portal/sessions/current/sign-out', undefined, as(laptop))).status).toBe(401);
    expect(await me(phone)).toBe(200);
  });

  it('sign out everywhere: every session ends, as an event in the audit history', async () => {
    const user = await portalUser();
    const laptop = await user.signIn();
    const phone = await user.signIn();
    const everywhere = await api.request('POST', '/v1/portal/sessions/all/sign-out', undefined, as(laptop));
    expect(everywhere.status).toBe(200);
    expect(await me(laptop)).toBe(401);
    expect(await me(phone)).toBe(401);
    expect(await me(await user.signIn())).toBe(200);
    const audit = await api.request('GET', `/v1/audit?subjectId=${user.contactId}&minPosition=${everywhere.body.position}`);
    expect(audit.body.items.find((i: { type: string }) => i.type === 'PortalSessionsEnded')).toMatchObject({ channel: 'portal', actor: { kind: 'portal-user' } });
  });
});
