import { randomUUID } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { nameBasedUuid, registration, registrationStream } from '@app/domain';
import { EventStore } from '@app/event-store';
import { CommandExecutor } from '../../apps/api/src/commands/command-executor';
import { AddContact, RegisterClientCompany } from '../../apps/api/src/directory/directory.commands';
import { CommandContext } from '../../apps/api/src/http/request-context';
import { EVENT_STORE } from '../../apps/api/src/infrastructure/tokens';
import { InviteContact } from '../../apps/api/src/portal-access/portal-access.commands';
import { removeDataDir, Response, startApp, TestApp, tokenIn } from '../support/app';
import { expectProblem } from '../support/problems';

/** Self-registration end to end: public requests, staff review, approval into the portal. */
describe('registrations (e2e)', () => {
  let api: TestApp;
  let other: { id: string; adminKey: string };
  const OPERATOR = '00000000-0000-4000-8000-000000000001';
  let open: { id: string; slug: string };
  let closed: { id: string; slug: string };

  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const head = async () => (await api.request('GET', '/health')).body.headPosition as number;
  const uniqueEmail = (stem = 'person') => `${stem}-${randomUUID().slice(0, 8)}@client.example`;
  /** Every public call from its own client address unless told, so the per-address limit stays out of the way. */
  const address = () => `10.${rand()}.${rand()}.${rand()}`;
  const rand = () => Math.floor(Math.random() * 250) + 1;
  const register = (body: unknown, from = address()) => api.request('POST', '/v1/portal/registrations', body, { authorization: '', 'x-forwarded-for': from });
  const request = (email: string, portalSlug = open.slug) => ({ portalSlug, email, name: 'Ana Souza', companyName: `Acme ${randomUUID().slice(0, 6)}` });

  async function listed(portalId: string, query = '', key = api.apiKey): Promise<Response> {
    return api.request('GET', `/v1/portals/${portalId}/registrations?limit=200&minPosition=${await head()}${query}`, undefined, as(key));
  }
  async function pending(email: string, portalId = open.id): Promise<any> {
    const list = await listed(portalId, '&status=Pending');
    expect(list.status).toBe(200);
    const found = list.body.items.find((r: any) => r.email === email.toLowerCase());
    expect(found).toBeDefined();
    return found;
  }
  /** Refused as problem+json with that status, and nothing written. */
  const refused = (method: string, path: string, body: unknown, status: number, type?: string, headers: Record<string, string> = {}) =>
    expectProblem(api, () => api.request(method, path, body, headers), { status, type, request: { method, path } });

  async function newPortal(selfRegistration: boolean): Promise<{ id: string; slug: string }> {
    const created = await api.request('POST', '/v1/portals', { name: 'Clients', slug: `reg-${randomUUID().slice(0, 8)}`, selfRegistration: false });
    expect(created.status).toBe(201);
    if (selfRegistration) {
      const updated = await api.request('PATCH', `/v1/portals/${created.body.id}`, { selfRegistration: true });
      expect(updated.status).toBe(200);
      expect(updated.body.selfRegistration).toBe(true);
    }
    return { id: created.body.id, slug: created.body.slug };
  }

  beforeAll(async () => {
    api = await startApp({ TRUST_PROXY: 'true', MAX_PORTALS: '10' });
    const created = await api.request('POST', '/v1/organizations', { name: 'Tokyo Staffing KK', timeZone: 'Asia/Tokyo' });
    expect(created.status).toBe(201);
    other = created.body;
    open = await newPortal(true);
    closed = await newPortal(false);
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  describe('requests', () => {
    it('are recorded where the portal allows self-registration, once while pending, by the system through the portal channel', async () => {
      const email = uniqueEmail();
      const before = await head();
      const answer = await register({ ...request(email), email: email.toUpperCase() });
      expect(answer.status).toBe(202);
      expect(await head()).toBeGreaterThan(before);
      const item = await pending(email);
      expect(item).toEqual({
        id: expect.any(String),
        portalId: open.id,
        email,
        name: 'Ana Souza',
        companyName: expect.stringMatching(/^Acme /),
        status: 'Pending',
        requestedAt: expect.any(String),
        decidedAt: null,
        reason: null,
        clientId: null,
        contactId: null,
      });

      // Asking again (another address, other case) while pending: the same request, nothing written.
      const again = await head();
      expect((await register(request(email.toUpperCase()))).status).toBe(202);
      expect(await head()).toBe(again);
      const list = await listed(open.id);
      expect(list.body.items.filter((r: any) => r.email === email)).toHaveLength(1);

      const store = api.app.get<EventStore>(EVENT_STORE);
      const { events } = await store.readStream(registrationStream(item.id));
      expect(events.map((e) => e.type)).toEqual(['RegistrationRequested']);
      expect(events[0].metadata).toMatchObject({ organizationId: OPERATOR, actor: { kind: 'system' }, channel: 'portal' });
    });

    it('answer the same whatever happens: unknown portal, self-registration off, known email, repeated request', async () => {
      const known = uniqueEmail('known');
      const first = await register(request(known));
      const before = await head();
      const answers = [
        await register(request(uniqueEmail(), `no-such-${randomUUID().slice(0, 8)}`)),
        await register(request(uniqueEmail(), closed.slug)),
        await register(request(uniqueEmail(), 'x')), // not even a valid slug
        await register(request(known)),
      ];
      expect(await head()).toBe(before);
      const fresh = await register(request(uniqueEmail()));
      for (const answer of [...answers, fresh]) {
        expect(answer.status).toBe(202);
        expect(answer.body).toEqual(first.body);
        expect(answer.headers.get('content-type')).toBe(first.headers.get('content-type'));
      }
      const list = await listed(closed.id);
      expect(list.body.items).toEqual([]);
    });

    it('refuse bad input with 422 problem+json, writing nothing', async () => {
      const good = request(uniqueEmail());
      const bad: unknown[] = [
        {},
        { ...good, email: undefined },
        { ...good, email: 'not an email' },
        { ...good, name: '' },
        { ...good, companyName: undefined },
        { ...good, portalSlug: undefined },
        { ...good, name: 'x'.repeat(201) },
        { ...good, role: 'admin' },
        { ...good, email: 42 },
      ];
      for (const body of bad) {
        const response = await refused('POST', '/v1/portal/registrations', body, 422, 'validation-failed', { authorization: '', 'x-forwarded-for': address() });
        expect(response.body.errors.length).toBeGreaterThan(0);
      }
    });

    it('are limited per client address: 10 in 15 minutes, then 429 with Retry-After', async () => {
      const from = address();
      for (let i = 0; i < 10; i++) expect((await register(request(uniqueEmail()), from)).status).toBe(202);
      const before = await head();
      const limited = await register(request(uniqueEmail()), from);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(800);
      expect(await head()).toBe(before);
      // Another address is not affected.
      expect((await register(request(uniqueEmail()))).status).toBe(202);
    });
  });

  describe('approval', () => {
    it('creates the company and the contact and invites the person into the portal; the emailed link works', async () => {
      const email = uniqueEmail('approve');
      const asked = request(email);
      await register(asked);
      const item = await pending(email);
      const mailsBefore = (await api.outbox()).length;

      const approved = await api.request('POST', `/v1/registrations/${item.id}/approve`);
      expect(approved.status).toBe(200);
      expect(approved.body).toEqual({ id: item.id, status: 'Approved', clientId: expect.any(String), contactId: expect.any(String), position: expect.any(Number) });
      const { clientId, contactId, position } = approved.body;

      const client = await api.request('GET', `/v1/clients/${clientId}?minPosition=${position}`);
      expect(client.body).toMatchObject({ id: clientId, name: asked.companyName });
      const person = await api.request('GET', `/v1/contacts/${contactId}?minPosition=${position}`);
      expect(person.body).toMatchObject({ id: contactId, name: 'Ana Souza', email });
      const access = await api.request('GET', `/v1/contacts/${contactId}/portal-access?portalId=${open.id}&minPosition=${position}`);
      expect(access.body).toMatchObject({ portalId: open.id, contactId, clientId, status: 'Invited' });

      const list = await listed(open.id, '&status=Approved');
      expect(list.body.items.find((r: any) => r.id === item.id)).toMatchObject({ status: 'Approved', clientId, contactId, decidedAt: expect.any(String), reason: null });

      const mails = (await api.outbox()).slice(mailsBefore).filter((m) => m.content.includes(`To: ${email}`));
      expect(mails).toHaveLength(1);
      const accepted = await api.request('POST', '/v1/portal/invitations/accept', { token: tokenIn(mails[0].content), password: 'a long and unusual passphrase' }, { authorization: '' });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({ contactId, status: 'Active' });

      // Twice: 409, nothing written; nor can it be rejected any more.
      await refused('POST', `/v1/registrations/${item.id}/approve`, undefined, 409, 'registration-already-approved', as(api.apiKey));
      await refused('POST', `/v1/registrations/${item.id}/reject`, { reason: 'late' }, 409, 'registration-already-approved', as(api.apiKey));
    });

    it('adds the person to an existing company of the organization, with a user type of the portal', async () => {
      const email = uniqueEmail('existing');
      await register(request(email));
      const item = await pending(email);
      const client = await api.request('POST', '/v1/clients', { name: 'Existing Co' });
      const type = await api.request('POST', `/v1/portals/${open.id}/user-types`, { name: `Viewer ${randomUUID().slice(0, 6)}`, modules: { documents: { view: true } } });
      expect(type.status).toBe(201);
      const foreignClient = await api.request('POST', '/v1/clients', { name: 'Foreign Co' }, as(other.adminKey));

      await refused('POST', `/v1/registrations/${item.id}/approve`, { userTypeId: randomUUID() }, 422, 'unknown-user-type', as(api.apiKey));
      await refused('POST', `/v1/registrations/${item.id}/approve`, { clientId: foreignClient.body.id }, 404, 'client-not-found', as(api.apiKey));
      await refused('POST', `/v1/registrations/${item.id}/approve`, { clientId: 'not-a-uuid' }, 422, 'validation-failed', as(api.apiKey));
      await refused('POST', `/v1/registrations/${item.id}/approve`, { clientId: client.body.id, extra: true }, 422, 'validation-failed', as(api.apiKey));

      const approved = await api.request('POST', `/v1/registrations/${item.id}/approve`, { clientId: client.body.id, userTypeId: type.body.id });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'Approved', clientId: client.body.id });
      const person = await api.request('GET', `/v1/contacts/${approved.body.contactId}?minPosition=${approved.body.position}`);
      expect(person.body).toMatchObject({ email, clientId: client.body.id });
      const store = api.app.get<EventStore>(EVENT_STORE);
      const { events } = await store.readStream(registrationStream(item.id));
      expect(events.map((e) => e.type)).toEqual(['RegistrationRequested', 'RegistrationClientAssigned', 'RegistrationContactAssigned', 'RegistrationApproved']);
      expect(events[1].data).toMatchObject({ clientId: client.body.id, created: false });
      expect(events[3].data).toMatchObject({ userTypeId: type.body.id });
      expect(events[3].metadata).toMatchObject({ actor: { kind: 'staff' }, channel: 'api' });
    });

    it('finishes an approval interrupted halfway without making a second company, contact or invitation', async () => {
      const executor = api.app.get(CommandExecutor);
      const bus = api.app.get(CommandBus);
      const context: CommandContext = { organizationId: OPERATOR, actor: { kind: 'staff', id: 'test' }, channel: 'api', correlationId: randomUUID() };

      // Stopped after the company was made and recorded.
      const email = uniqueEmail('crash-a');
      await register(request(email));
      const item = await pending(email);
      const client = await api.request('POST', '/v1/clients', { name: 'Made before the crash' });
      await executor.execute({ streamName: registrationStream(item.id), decider: registration, command: { type: 'AssignRegistrationClient', clientId: client.body.id, created: true }, context });
      const resumed = await api.request('POST', `/v1/registrations/${item.id}/approve`);
      expect(resumed.status).toBe(200);
      expect(resumed.body.clientId).toBe(client.body.id);

      // Stopped after the invitation went out, before RegistrationApproved.
      const email2 = uniqueEmail('crash-b');
      await register(request(email2));
      const item2 = await pending(email2);
      const client2 = await api.request('POST', '/v1/clients', { name: 'Also made before the crash' });
      const contact2 = await api.request('POST', `/v1/clients/${client2.body.id}/contacts`, { name: 'Ana Souza', email: email2 });
      await executor.execute({ streamName: registrationStream(item2.id), decider: registration, command: { type: 'AssignRegistrationClient', clientId: client2.body.id, created: true }, context });
      await executor.execute({ streamName: registrationStream(item2.id), decider: registration, command: { type: 'AssignRegistrationContact', contactId: contact2.body.id }, context });
      await bus.execute(new InviteContact(context, contact2.body.id, { portalId: open.id }));
      const invitations = async () => (await api.outbox()).filter((m) => m.content.includes(`To: ${email2}`)).length;
      expect(await invitations()).toBe(1);
      const finished = await api.request('POST', `/v1/registrations/${item2.id}/approve`);
      expect(finished.status).toBe(200);
      expect(finished.body).toMatchObject({ status: 'Approved', clientId: client2.body.id, contactId: contact2.body.id });
      expect(await invitations()).toBe(1);

      // Stopped after the company and the contact were made, before either was recorded: the
      // name-based ids find them again, so nothing is made twice.
      const store = api.app.get<EventStore>(EVENT_STORE);
      const email3 = uniqueEmail('crash-c');
      await register(request(email3));
      const item3 = await pending(email3);
      const clientId = nameBasedUuid(`registration-client:${item3.id}`);
      const contactId = nameBasedUuid(`registration-contact:${item3.id}`);
      await bus.execute(new RegisterClientCompany(context, { name: 'Beta AB' }, clientId));
      await bus.execute(new AddContact(context, clientId, { name: 'Ana Souza', email: email3 }, contactId));
      const recovered = await api.request('POST', `/v1/registrations/${item3.id}/approve`);
      expect(recovered.status).toBe(200);
      expect(recovered.body).toMatchObject({ status: 'Approved', clientId, contactId });
      const { events: contactEvents } = await store.readStream(`contact-${contactId}`);
      expect(contactEvents.map((e) => e.type)).toEqual(['ContactAdded']);
      expect((await api.outbox()).filter((m) => m.content.includes(`To: ${email3}`))).toHaveLength(1);
    });
  });

  describe('rejection', () => {
    it('records the reason; the request can be neither approved nor rejected again; the person may ask again', async () => {
      const email = uniqueEmail('reject');
      await register(request(email));
      const item = await pending(email);
      await refused('POST', `/v1/registrations/${item.id}/reject`, { reason: 'x'.repeat(501) }, 422, 'validation-failed', as(api.apiKey));
      const rejected = await api.request('POST', `/v1/registrations/${item.id}/reject`, { reason: 'Not a client of ours' });
      expect(rejected.status).toBe(200);
      expect(rejected.body).toEqual({ id: item.id, status: 'Rejected', position: expect.any(Number) });
      const list = await listed(open.id, '&status=Rejected');
      expect(list.body.items.find((r: any) => r.id === item.id)).toMatchObject({ status: 'Rejected', reason: 'Not a client of ours', decidedAt: expect.any(String), clientId: null });

      await refused('POST', `/v1/registrations/${item.id}/approve`, {}, 409, 'registration-already-rejected', as(api.apiKey));
      await refused('POST', `/v1/registrations/${item.id}/reject`, {}, 409, 'registration-already-rejected', as(api.apiKey));

      // A new request after the decision is a new one (and pending).
      await register(request(email));
      const again = await pending(email);
      expect(again.id).not.toBe(item.id);
    });
  });

  describe('other organizations', () => {
    it('see another organization’s registrations and portals as not found, exactly like unknown ids', async () => {
      const email = uniqueEmail('foreign');
      await register(request(email));
      const item = await pending(email);
      const key = as(other.adminKey);
      const foreignApprove = await refused('POST', `/v1/registrations/${item.id}/approve`, {}, 404, undefined, key);
      const unknownApprove = await refused('POST', `/v1/registrations/${randomUUID()}/approve`, {}, 404, undefined, key);
      const foreignReject = await refused('POST', `/v1/registrations/${item.id}/reject`, {}, 404, undefined, key);
      const unknownReject = await refused('POST', `/v1/registrations/${randomUUID()}/reject`, {}, 404, undefined, key);
      const strip = (r: Response) => ({ ...r.body, instance: undefined });
      expect(strip(foreignApprove)).toEqual(strip(unknownApprove));
      expect(strip(foreignReject)).toEqual(strip(unknownReject));
      expect(strip(foreignApprove)).toEqual(strip(foreignReject));
      await refused('GET', `/v1/portals/${open.id}/registrations`, undefined, 404, undefined, key);
      await refused('GET', `/v1/portals/${randomUUID()}/registrations`, undefined, 404, undefined, as(api.apiKey));

      // Their own portal's list is empty of ours.
      const theirs = await api.request('GET', `/v1/portals?limit=200`, undefined, key);
      const theirPortal = theirs.body.items[0].id;
      const list = await listed(theirPortal, '', other.adminKey);
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([]);
      // And the request is still pending for its own organization.
      expect((await pending(email)).status).toBe('Pending');
    });

    it('answer staff routes by role: reporters list, agents approve and reject, auditors do neither', async () => {
      const keys: Record<string, string> = {};
      for (const role of ['agent', 'auditor', 'reporter']) keys[role] = (await api.request('POST', '/v1/api-keys', { name: role, role })).body.key;
      const email = uniqueEmail('roles');
      await register(request(email));
      const item = await pending(email);
      expect((await listed(open.id, '', keys.reporter)).status).toBe(200);
      await refused('GET', `/v1/portals/${open.id}/registrations`, undefined, 403, undefined, as(keys.auditor));
      await refused('POST', `/v1/registrations/${item.id}/approve`, {}, 403, undefined, as(keys.reporter));
      await refused('POST', `/v1/registrations/${item.id}/reject`, {}, 401, undefined, { authorization: '' });
      expect((await api.request('POST', `/v1/registrations/${item.id}/reject`, {}, as(keys.agent))).status).toBe(200);
    });
  });
});
