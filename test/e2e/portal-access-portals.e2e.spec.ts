import { randomUUID } from 'node:crypto';
import { removeDataDir, startApp, TestApp, tokenIn } from '../support/app';
import { expectProblem } from '../support/problems';

/**
 * Portal access across several portals: portalId and userTypeId on the access routes, the
 * invitation's language, the per-portal user limit, and user-type permissions on portal routes.
 */
describe('portal access in portals (e2e)', () => {
  let api: TestApp;
  let defaultPortal: string;
  let second: { id: string; slug: string };
  let timesheetClerk: string;
  const anonymous = { authorization: '' };
  const head = async () => (await api.request('GET', '/health')).body.headPosition as number;

  beforeAll(async () => {
    api = await startApp({ MAX_USERS_PER_PORTAL: '3', MAX_PORTALS: '20' });
    const portals = await api.request('GET', '/v1/portals?limit=200');
    defaultPortal = portals.body.items.find((p: { isDefault: boolean }) => p.isDefault).id;
    const slug = `tokyo-${randomUUID().slice(0, 8)}`;
    const created = await api.request('POST', '/v1/portals', { name: 'Tokyo portal', slug, defaultLanguage: 'ja' });
    expect(created.status).toBe(201);
    second = { id: created.body.id, slug };
    const type = await api.request('POST', `/v1/portals/${second.id}/user-types`, {
      name: 'Timesheet clerk',
      modules: { shifts: { view: true }, timesheets: { view: true, create: true } },
    });
    expect(type.status).toBe(201);
    timesheetClerk = type.body.id;
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  async function contact(email = `${randomUUID()}@client.example`, name = 'Hanako Yamada') {
    const client = await api.request('POST', '/v1/clients', { name: 'Yamada Shoji' });
    const person = await api.request('POST', `/v1/clients/${client.body.id}/contacts`, { name, email });
    return { clientId: client.body.id as string, contactId: person.body.id as string, email };
  }
  const lastEmailTo = async (email: string) => (await api.outbox()).filter((m) => m.content.includes(`To: ${email}`)).at(-1)?.content;

  const refused = (method: string, path: string, body: unknown, status: number, type?: string) =>
    expectProblem(api, () => api.request(method, path, body), { status, type, request: { path } });

  it('invites one contact into two portals, each access on its own, the second with a user type and in Japanese', async () => {
    const person = await contact();
    const first = await api.request('POST', `/v1/contacts/${person.contactId}/portal-access/invite`);
    expect(first.body).toMatchObject({ status: 'Invited', portalId: defaultPortal });
    const invited = await api.request('POST', `/v1/contacts/${person.contactId}/portal-access/invite`, { portalId: second.id, userTypeId: timesheetClerk });
    expect(invited.status).toBe(200);
    expect(invited.body).toMatchObject({ status: 'Invited', portalId: second.id });
    expect(invited.body.accessId).not.toBe(first.body.accessId);

    const email = (await lastEmailTo(person.email))!;
    expect(email).toContain('ポータル');
    expect(email).toContain(`/portal/${second.slug}`);
    expect(email).toContain('token=');

    const inSecond = await api.request('GET', `/v1/contacts/${person.contactId}/portal-access?portalId=${second.id}&minPosition=${invited.body.position}`);
    expect(inSecond.body).toMatchObject({ portalId: second.id, userTypeId: timesheetClerk, status: 'Invited' });
    const inFirst = await api.request('GET', `/v1/contacts/${person.contactId}/portal-access`);
    expect(inFirst.body).toMatchObject({ portalId: defaultPortal, userTypeId: null });
    const listed = await api.request('GET', `/v1/portal-access?portalId=${second.id}&clientId=${person.clientId}`);
    expect(listed.body.items.map((a: { accessId: string }) => a.accessId)).toEqual([invited.body.accessId]);

    // Disabling in one portal leaves the other alone.
    await api.request('POST', `/v1/contacts/${person.contactId}/portal-access/disable?portalId=${second.id}`, {});
    const after = await api.request('GET', `/v1/contacts/${person.contactId}/portal-access?minPosition=${await head()}`);
    expect(after.body.status).toBe('Invited');
  });

  it("writes the invitation in the contact's language: the portal's template, else the built-in text, else the portal's default", async () => {
    // A portal of its own: each portal holds at most MAX_USERS_PER_PORTAL (3 here) users.
    const languages = (await api.request('POST', '/v1/portals', { name: 'Languages', slug: `lang-${randomUUID().slice(0, 8)}`, defaultLanguage: 'ja' })).body.id;
    const saved = await api.request('PUT', `/v1/portals/${languages}/templates/fr`, {
      subject: 'Invitation au portail',
      body: 'Bonjour {{contactName}}, votre identifiant est {{username}} : {{acceptUrl}}',
    });
    expect(saved.status).toBe(200);
    const french = await contact(undefined, 'Amélie Dupont');
    await api.request('POST', `/v1/contacts/${french.contactId}/portal-access/invite`, { portalId: languages, language: 'fr' });
    expect(await lastEmailTo(french.email)).toContain(`Bonjour Amélie Dupont, votre identifiant est ${french.email}`);

    const brazilian = await contact(undefined, 'João Silva');
    await api.request('POST', `/v1/contacts/${brazilian.contactId}/portal-access/invite`, { portalId: languages, language: 'pt-BR' });
    expect(await lastEmailTo(brazilian.email)).toContain('Olá João Silva');

    const german = await contact(undefined, 'Jonas Weber');
    await api.request('POST', `/v1/contacts/${german.contactId}/portal-access/invite`, { portalId: languages, language: 'de' });
    expect(await lastEmailTo(german.email)).toContain('ポータル'); // the portal's default language, Japanese

    const english = await contact(undefined, 'Pat Smith');
    await api.request('POST', `/v1/contacts/${english.contactId}/portal-access/invite`, { language: 'en' });
    expect(await lastEmailTo(english.email)).toContain('invites you to its client portal');
  });

  it('refuses an unknown portal, another organization’s portal, an unknown user type and a bad language, writing nothing', async () => {
    const person = await contact();
    const path = `/v1/contacts/${person.contactId}/portal-access/invite`;
    await refused('POST', path, { portalId: randomUUID() }, 404, 'portal-not-found');
    const other = await api.request('POST', '/v1/organizations', { name: `Other ${randomUUID()}` });
    const otherPortals = await api.request('GET', '/v1/portals', undefined, { authorization: `Bearer ${other.body.adminKey}` });
    await refused('POST', path, { portalId: otherPortals.body.items[0].id }, 404, 'portal-not-found');
    await refused('POST', path, { portalId: second.id, userTypeId: randomUUID() }, 422, 'unknown-user-type');
    await refused('POST', path, { language: 'not a language' }, 422);
    await refused('POST', path, { portalId: 'second' }, 422);
    await refused('POST', `${path}?portalId=${second.id}`, { portalId: defaultPortal }, 422, 'portal-id-mismatch');
    await refused('POST', path, { userTypeId: timesheetClerk, colour: 'red' }, 422);
    await refused('GET', `/v1/contacts/${person.contactId}/portal-access?portalId=${second.id}`, undefined, 404);
  });

  it('holds each portal to its user limit, and a revoked access frees its seat', async () => {
    const slug = `limited-${randomUUID().slice(0, 8)}`;
    const portal = (await api.request('POST', '/v1/portals', { name: 'Limited', slug })).body.id as string;
    const people = [await contact(), await contact(), await contact(), await contact()];
    for (const person of people.slice(0, 3)) {
      expect((await api.request('POST', `/v1/contacts/${person.contactId}/portal-access/invite`, { portalId: portal })).status).toBe(200);
    }
    const full = await refused('POST', `/v1/contacts/${people[3].contactId}/portal-access/invite`, { portalId: portal }, 409, 'portal-user-limit-reached');
    expect(full.body.detail).toMatch(/3/);
    expect((await api.request('POST', `/v1/contacts/${people[0].contactId}/portal-access/revoke`, { portalId: portal })).status).toBe(200);
    expect((await api.request('POST', `/v1/contacts/${people[3].contactId}/portal-access/invite`, { portalId: portal })).status).toBe(200);
    // The default portal keeps its own count.
    expect((await api.request('POST', `/v1/contacts/${people[0].contactId}/portal-access/invite`)).status).toBe(200);
  });

  it('holds the limit under concurrent invitations: exactly as many as there are seats get in', async () => {
    const portal = (await api.request('POST', '/v1/portals', { name: 'Rush', slug: `rush-${randomUUID().slice(0, 8)}` })).body.id as string;
    const people = await Promise.all(Array.from({ length: 10 }, () => contact()));
    const answers = await Promise.all(people.map((p) => api.request('POST', `/v1/contacts/${p.contactId}/portal-access/invite`, { portalId: portal })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 409, 409, 409, 409, 409, 409, 409]);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.type === '/problems/portal-user-limit-reached')).toBe(true);
    const listed = await api.request('GET', `/v1/portal-access?portalId=${portal}&limit=200&minPosition=${await head()}`);
    expect(listed.body.items).toHaveLength(3);
  });

  it('lets a portal user do what its user type allows, view-only without one, and follows a change of type at once', async () => {
    const person = await contact();
    await api.request('POST', `/v1/contacts/${person.contactId}/portal-access/invite`, { portalId: second.id });
    const token = tokenIn((await lastEmailTo(person.email))!);
    expect((await api.request('POST', '/v1/portal/invitations/accept', { token, password: 'a long unusual passphrase' }, anonymous)).status).toBe(200);
    const session = await api.request('POST', '/v1/portal/sessions', { email: person.email, password: 'a long unusual passphrase', portalId: second.id }, anonymous);
    expect(session.status).toBe(200);
    const as = { authorization: `Bearer ${session.body.token}` };
    const timesheet = { staffMember: { name: 'Jonas Weber' }, entries: [{ date: '2026-03-27', start: '08:00', end: '12:00' }] };

    expect((await api.request('GET', '/v1/portal/shifts', undefined, as)).status).toBe(200);
    const before = await head();
    const denied = await api.request('POST', '/v1/portal/timesheets', timesheet, as);
    expect(denied.status).toBe(403);
    expect(await head()).toBe(before);

    const changed = await api.request('PUT', `/v1/contacts/${person.contactId}/portal-access/user-type`, { userTypeId: timesheetClerk, portalId: second.id });
    expect(changed.status).toBe(200);
    expect(changed.body.userTypeId).toBe(timesheetClerk);
    expect((await api.request('POST', '/v1/portal/timesheets', timesheet, as)).status).toBe(201);
    expect((await api.request('GET', '/v1/portal/quotes', undefined, as)).status).toBe(403);

    await refused('PUT', `/v1/contacts/${person.contactId}/portal-access/user-type`, { userTypeId: randomUUID(), portalId: second.id }, 422, 'unknown-user-type');
    await refused('PUT', `/v1/contacts/${person.contactId}/portal-access/user-type`, { userTypeId: null }, 404, 'portal-access-not-found');
    const cleared = await api.request('PUT', `/v1/contacts/${person.contactId}/portal-access/user-type?portalId=${second.id}`, { userTypeId: null });
    expect(cleared.body.userTypeId).toBeNull();
    expect((await api.request('POST', '/v1/portal/timesheets', timesheet, as)).status).toBe(403);
  });

  describe('bulk invite', () => {
    it('invites the primary contact of each company, skips and reports the rest, and is safe to repeat', async () => {
      const slug = `bulk-${randomUUID().slice(0, 8)}`;
      const portal = (await api.request('POST', '/v1/portals', { name: 'Bulk', slug })).body.id as string;
      const withContacts = await contact(); // its first contact is its primary contact
      const second = await api.request('POST', `/v1/clients/${withContacts.clientId}/contacts`, { name: 'Second', email: `${randomUUID()}@client.example` });
      expect(second.status).toBe(201);
      const noEmail = (await api.request('POST', '/v1/clients', { name: 'No email KK' })).body.id as string;
      await api.request('POST', `/v1/clients/${noEmail}/contacts`, { name: 'Nobody' });
      const empty = (await api.request('POST', '/v1/clients', { name: 'Empty KK' })).body.id as string;
      const unknown = randomUUID();

      const body = { clientIds: [withContacts.clientId, noEmail, empty, unknown], portalId: portal };
      const first = await api.request('POST', '/v1/portal-access/bulk-invite', body);
      expect(first.status).toBe(200);
      expect(first.body.invited).toEqual([expect.objectContaining({ contactId: withContacts.contactId, clientId: withContacts.clientId })]);
      expect(first.body.skipped).toEqual([
        expect.objectContaining({ id: noEmail, reason: 'contact-has-no-email' }),
        expect.objectContaining({ id: empty, reason: 'client-has-no-contacts' }),
        expect.objectContaining({ id: unknown, reason: 'client-not-found' }),
      ]);
      expect(await lastEmailTo(withContacts.email)).toContain('token=');

      const before = await head();
      const again = await api.request('POST', '/v1/portal-access/bulk-invite', body);
      expect(again.status).toBe(200);
      expect(again.body.invited).toEqual([]);
      expect(again.body.skipped.map((s: { reason: string }) => s.reason)).toEqual(['already-invited', 'contact-has-no-email', 'client-has-no-contacts', 'client-not-found']);
      expect(await head()).toBe(before);
    });

    it('invites each contact given, and one bad entry never stops the rest (the portal filling up included)', async () => {
      const slug = `bulk-${randomUUID().slice(0, 8)}`;
      const portal = (await api.request('POST', '/v1/portals', { name: 'Bulk contacts', slug })).body.id as string;
      const people = [await contact(), await contact(), await contact(), await contact()];
      const other = await api.request('POST', '/v1/organizations', { name: `Other ${randomUUID()}` });
      const otherClient = await api.request('POST', '/v1/clients', { name: 'Theirs' }, { authorization: `Bearer ${other.body.adminKey}` });
      const theirs = await api.request('POST', `/v1/clients/${otherClient.body.id}/contacts`, { name: 'Theirs', email: 'theirs@client.example' }, { authorization: `Bearer ${other.body.adminKey}` });
      const answer = await api.request('POST', '/v1/portal-access/bulk-invite', { contactIds: [theirs.body.id, ...people.map((p) => p.contactId)], portalId: portal });
      expect(answer.status).toBe(200);
      expect(answer.body.invited.map((i: { contactId: string }) => i.contactId)).toEqual(people.slice(0, 3).map((p) => p.contactId));
      expect(answer.body.skipped).toEqual([
        expect.objectContaining({ id: theirs.body.id, reason: 'contact-not-found' }),
        expect.objectContaining({ id: people[3].contactId, reason: 'portal-user-limit-reached' }),
      ]);
    });

    it('refuses bad input with 422 and writes nothing', async () => {
      const person = await contact();
      for (const bad of [
        {},
        { clientIds: [person.clientId], contactIds: [person.contactId] },
        { clientIds: [] },
        { clientIds: ['not-a-uuid'] },
        { contactIds: person.contactId },
        { contactIds: [person.contactId], extra: true },
        { contactIds: Array.from({ length: 1001 }, () => randomUUID()) },
      ]) {
        await refused('POST', '/v1/portal-access/bulk-invite', bad, 422);
      }
      await refused('POST', '/v1/portal-access/bulk-invite', { contactIds: [person.contactId], portalId: randomUUID() }, 200);
    });
  });
});
