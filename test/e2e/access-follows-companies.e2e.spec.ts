import { randomUUID } from 'node:crypto';
import { removeDataDir, Response, startApp, TestApp } from '../support/app';
import { expectProblem } from '../support/problems';
import { signedInPortalUser, SignedInPortalUser } from '../support/portal-user';

/**
 * What a portal user may see and do follows its contact's companies as they are now: the
 * primary and associated companies that are not archived. A contact moved to another company
 * loses the old one's documents on its next request; archiving a company touches only the
 * accesses of contacts whose only company it was; every change of an access's companies is an
 * event in the audit history.
 */
describe('portal access follows the contact’s companies (e2e)', () => {
  let api: TestApp;
  let position = 0;
  let userTypeId: string;
  const none = { view: false, create: false, edit: false, delete: false, approve: false };
  const all = { view: true, create: true, edit: true, delete: true, approve: true };

  async function ok(method: string, path: string, body?: unknown, status = 200, headers: Record<string, string> = {}): Promise<Response> {
    const response = await api.request(method, path, body, headers);
    expect({ method, path, status: response.status, body: response.body }).toMatchObject({ method, path, status });
    position = Math.max(position, response.body?.position ?? 0);
    return response;
  }
  const read = (path: string, headers: Record<string, string> = {}) =>
    api.request('GET', `${path}${path.includes('?') ? '&' : '?'}minPosition=${position}`, undefined, headers);

  /** Answers `status` with problem `type`, and writes nothing. */
  const refused = async (method: string, path: string, status: number, type: string, headers: Record<string, string>, body?: unknown): Promise<void> => {
    await expectProblem(api, () => api.request(method, path, body, headers), { status, type, request: { method, path } });
  };

  const company = async (name: string) => (await ok('POST', '/v1/clients', { name }, 201)).body.id as string;
  const quoteFor = async (clientId: string) =>
    (
      await ok(
        'POST',
        '/v1/quotes',
        {
          clientId,
          number: `Q-${randomUUID().slice(0, 8)}`,
          issueDate: '2026-01-05',
          validUntil: '2099-12-31',
          currency: 'EUR',
          lines: [{ description: 'Temporary staff (hours)', quantity: '10', unitPrice: '45.50' }],
          link: 'https://erp.example/quotes/1',
        },
        201,
      )
    ).body.id as string;
  const invoiceFor = async (clientId: string) =>
    (
      await ok(
        'POST',
        '/v1/invoices',
        {
          clientId,
          number: `INV-${randomUUID().slice(0, 8)}`,
          issueDate: '2026-01-31',
          dueDate: '2099-02-28',
          currency: 'EUR',
          lines: [{ description: 'January staffing', quantity: '10', unitPrice: '10.00' }],
          total: '100.00',
          link: 'https://erp.example/invoices/1',
        },
        201,
      )
    ).body.id as string;
  const shiftFor = async (clientId: string) =>
    (
      await ok(
        'POST',
        '/v1/shifts',
        { clientId, staffMember: { name: 'Jonas Weber' }, start: '2026-03-30T08:00:00+02:00', end: '2026-03-30T16:30:00+02:00', location: 'Lager Nord', role: 'Driver' },
        201,
      )
    ).body.id as string;
  const timesheetFor = async (clientId: string) =>
    (await ok('POST', '/v1/timesheets', { clientId, staffMember: { name: 'Jonas Weber' }, entries: [{ date: '2026-03-02', start: '08:00', end: '12:00' }] }, 201)).body
      .id as string;
  const ids = (response: Response) => (response.body.items as { id: string }[]).map((item) => item.id).sort();

  beforeAll(async () => {
    api = await startApp();
    const portals = await ok('GET', '/v1/portals?limit=200');
    const portalId = portals.body.items.find((p: { isDefault: boolean }) => p.isDefault).id;
    const modules = { shifts: { ...none, view: true }, timesheets: all, quotes: all, invoices: all };
    userTypeId = (await ok('POST', `/v1/portals/${portalId}/user-types`, { name: 'Client manager', modules }, 201)).body.id;
  });
  afterAll(async () => {
    await api?.close();
    removeDataDir(api.dataDir);
  });

  it('a contact moved from X to Y loses X’s documents on its next request and sees Y’s; every change is an access event', async () => {
    const x = await company('X Logistics');
    const y = await company('Y Retail');
    const lia = await signedInPortalUser(api, x, { userTypeId, name: 'Lia' });
    const [quoteX, invoiceX, shiftX, timesheetX] = [await quoteFor(x), await invoiceFor(x), await shiftFor(x), await timesheetFor(x)];
    const [quoteY, invoiceY, shiftY, timesheetY] = [await quoteFor(y), await invoiceFor(y), await shiftFor(y), await timesheetFor(y)];

    // Before: X's, not Y's.
    expect((await read('/v1/portal/me', lia.headers)).body).toMatchObject({ clientId: x, clientIds: [x] });
    expect(ids(await read('/v1/portal/quotes', lia.headers))).toEqual([quoteX]);
    expect(ids(await read('/v1/portal/shifts', lia.headers))).toEqual([shiftX]);

    // Associated with Y: both companies' documents.
    await ok('POST', `/v1/contacts/${lia.contactId}/associations`, { clientId: y });
    expect((await read('/v1/portal/me', lia.headers)).body).toMatchObject({ clientId: x, clientIds: [x, y] });
    expect(ids(await read('/v1/portal/quotes', lia.headers))).toEqual([quoteX, quoteY].sort());
    expect(ids(await read('/v1/portal/invoices', lia.headers))).toEqual([invoiceX, invoiceY].sort());
    expect(ids(await read('/v1/portal/timesheets', lia.headers))).toEqual([timesheetX, timesheetY].sort());

    // Y becomes the primary company, then X is left (its documents stay with X).
    await ok('PUT', `/v1/contacts/${lia.contactId}/primary-client`, { clientId: y });
    await ok('DELETE', `/v1/contacts/${lia.contactId}/associations/${x}?documents=keep`);
    expect((await read(`/v1/contacts/${lia.contactId}`)).body).toMatchObject({ clientIds: [y] });

    // The very next request: X's documents are gone, like unknown ones; Y's are there.
    expect((await read('/v1/portal/me', lia.headers)).body).toMatchObject({ clientId: y, clientIds: [y] });
    expect(ids(await read('/v1/portal/quotes', lia.headers))).toEqual([quoteY]);
    expect(ids(await read('/v1/portal/invoices', lia.headers))).toEqual([invoiceY]);
    expect(ids(await read('/v1/portal/shifts', lia.headers))).toEqual([shiftY]);
    expect(ids(await read('/v1/portal/timesheets', lia.headers))).toEqual([timesheetY]);
    await refused('GET', `/v1/portal/quotes/${quoteX}`, 404, 'quote-not-found', lia.headers);
    await refused('POST', `/v1/portal/quotes/${quoteX}/accept`, 404, 'quote-not-found', lia.headers);
    await refused('POST', `/v1/portal/quotes/${quoteX}/decline`, 404, 'quote-not-found', lia.headers, { reason: 'too dear' });
    await refused('POST', `/v1/portal/documents/${quoteX}/comments`, 404, 'document-not-found', lia.headers, { text: 'still mine?' });
    await refused('GET', `/v1/portal/documents/${quoteX}`, 404, 'document-not-found', lia.headers);
    await refused('GET', `/v1/portal/invoices/${invoiceX}`, 404, 'invoice-not-found', lia.headers);
    await refused('POST', `/v1/portal/invoices/${invoiceX}/payments`, 404, 'invoice-not-found', lia.headers, { amount: '10.00', method: 'card', reference: 'T-1' });
    await refused('GET', `/v1/portal/shifts/${shiftX}`, 404, 'shift-not-found', lia.headers);
    await refused('GET', `/v1/portal/timesheets/${timesheetX}`, 404, 'timesheet-not-found', lia.headers);
    await refused('POST', `/v1/portal/timesheets/${timesheetX}/approve`, 404, 'timesheet-not-found', lia.headers);
    await refused('POST', `/v1/portal/timesheets/${timesheetX}/reject`, 404, 'timesheet-not-found', lia.headers, { reason: 'wrong hours' });
    await refused('POST', '/v1/portal/timesheets', 404, 'client-not-found', lia.headers, {
      clientId: x,
      staffMember: { name: 'Jonas Weber' },
      entries: [{ date: '2026-03-03', start: '08:00', end: '12:00' }],
    });
    expect((await read('/v1/portal/approvals?limit=200', lia.headers)).body.items.map((i: { id: string }) => i.id)).not.toContain(quoteX);

    // Y's are hers to decide.
    await ok('POST', `/v1/portal/quotes/${quoteY}/accept`, {}, 200, lia.headers);
    await ok('POST', `/v1/portal/invoices/${invoiceY}/payments`, { amount: '10.00', method: 'card', reference: 'T-2' }, 201, lia.headers);
    await ok('POST', `/v1/portal/documents/${invoiceY}/comments`, { text: 'Paid the first part' }, 201, lia.headers);
    const created = await ok('POST', '/v1/portal/timesheets', { staffMember: { name: 'Jonas Weber' }, entries: [{ date: '2026-03-04', start: '08:00', end: '12:00' }] }, 201, lia.headers);
    expect((await read(`/v1/timesheets/${created.body.id}`)).body).toMatchObject({ clientId: y, contactId: lia.contactId });

    // The access's history tells each change, and why.
    const access = (await read(`/v1/contacts/${lia.contactId}/portal-access`)).body;
    expect(access).toMatchObject({ clientId: y, clientIds: [y], status: 'Active' });
    const audit = await read(`/v1/audit?subjectId=${access.accessId}&limit=200`);
    const changes = audit.body.items.filter((item: { type: string }) => item.type === 'PortalAccessCompaniesChanged').map((item: { data: unknown }) => item.data);
    expect(changes).toEqual([
      expect.objectContaining({ clientIds: [x, y], previousClientIds: [x], cause: 'contact-associated' }),
      expect.objectContaining({ clientIds: [y, x], previousClientIds: [x, y], cause: 'primary-client-changed' }),
      expect.objectContaining({ clientIds: [y], previousClientIds: [y, x], cause: 'contact-dissociated' }),
    ]);

    // Archiving X, which she left, does not touch her access.
    const archived = await ok('DELETE', `/v1/clients/${x}`);
    expect(archived.body).toMatchObject({ revokedAccesses: 0, changedAccesses: 0 });
    expect((await read('/v1/portal/me', lia.headers)).status).toBe(200);
  });

  it('archiving a company revokes only the accesses of contacts whose only company it was; the others keep theirs for the rest', async () => {
    const x = await company('Archived Soon KK');
    const y = await company('Stays Open KK');
    const [quoteX, quoteY] = [await quoteFor(x), await quoteFor(y)];
    const only = await signedInPortalUser(api, x, { userTypeId, name: 'Ned' }); // X only
    const both = await signedInPortalUser(api, x, { userTypeId, name: 'Oz' }); // X primary, Y associated
    await ok('POST', `/v1/contacts/${both.contactId}/associations`, { clientId: y });
    expect(ids(await read('/v1/portal/quotes', both.headers))).toEqual([quoteX, quoteY].sort());

    const archived = await ok('DELETE', `/v1/clients/${x}`);
    expect(archived.body).toMatchObject({ revokedAccesses: 1, changedAccesses: 1 });

    // Ned's session ends at once; Oz goes on for Y only, signing in again too.
    await refused('GET', '/v1/portal/me', 401, 'unauthorized', only.headers);
    expect((await read(`/v1/contacts/${only.contactId}/portal-access`)).body).toMatchObject({ status: 'Revoked', revokedReason: 'client company archived' });
    expect((await read('/v1/portal/me', both.headers)).body).toMatchObject({ clientId: y, clientIds: [y] });
    expect(ids(await read('/v1/portal/quotes', both.headers))).toEqual([quoteY]);
    await refused('GET', `/v1/portal/quotes/${quoteX}`, 404, 'quote-not-found', both.headers);
    const again = await api.request('POST', '/v1/portal/sessions', { email: both.email, password: both.password }, { authorization: '' });
    expect(again.status).toBe(200);
    expect((await read(`/v1/contacts/${both.contactId}/portal-access`)).body).toMatchObject({ status: 'Active', clientIds: [y] });

    // Archiving Y leaves Oz no company: its access is revoked and its sessions end at once.
    const last = await ok('DELETE', `/v1/clients/${y}`);
    expect(last.body).toMatchObject({ revokedAccesses: 1, changedAccesses: 0 });
    await refused('GET', '/v1/portal/me', 401, 'unauthorized', both.headers);
    await refused('GET', '/v1/portal/me', 401, 'unauthorized', { authorization: `Bearer ${again.body.token}` });
    const signIn = await api.request('POST', '/v1/portal/sessions', { email: both.email, password: both.password }, { authorization: '' });
    expect(signIn.status).toBe(401);
  });

  it('for random sequences of associate, dissociate, change primary and archive, what the user sees is what its current companies allow', async () => {
    // A seeded generator: a failure names the seed and replays exactly.
    const seeds = [11, 23, 37, 41, 53, 67];
    for (const seed of seeds) {
      const random = mulberry32(seed);
      const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
      const companies = [await company(`Seq ${seed} A`), await company(`Seq ${seed} B`), await company(`Seq ${seed} C`), await company(`Seq ${seed} D`)];
      const quotes = new Map<string, string>();
      for (const clientId of companies) quotes.set(clientId, await quoteFor(clientId));
      const shifts = new Map<string, string>();
      for (const clientId of companies) shifts.set(clientId, await shiftFor(clientId));
      const user: SignedInPortalUser = await signedInPortalUser(api, companies[0], { userTypeId, name: `Seq ${seed}` });

      // The model: the rules as the issue states them, independent of the code under test.
      const model = { primary: companies[0], associated: [companies[0]], archived: new Set<string>(), revoked: false };
      const current = () => [model.primary, ...model.associated.filter((id) => id !== model.primary)].filter((id) => !model.archived.has(id));
      const steps: string[] = [];

      for (let step = 0; step < 10; step++) {
        const clientId = pick(companies);
        const operation = pick(['associate', 'dissociate', 'primary', 'archive', 'associate', 'dissociate', 'primary'] as const);
        steps.push(`${operation} ${companies.indexOf(clientId)}`);
        const where = `seed ${seed}, steps: ${steps.join(', ')}`;
        let response: Response;
        if (operation === 'associate') {
          response = await api.request('POST', `/v1/contacts/${user.contactId}/associations`, { clientId });
          if (model.archived.has(clientId)) expect({ where, status: response.status }).toEqual({ where, status: 409 });
          else {
            expect({ where, status: response.status }).toEqual({ where, status: 200 });
            if (!model.associated.includes(clientId)) model.associated.push(clientId);
          }
        } else if (operation === 'dissociate') {
          response = await api.request('DELETE', `/v1/contacts/${user.contactId}/associations/${clientId}`);
          const expected = clientId === model.primary ? 409 : model.associated.includes(clientId) ? 200 : 404;
          expect({ where, status: response.status }).toEqual({ where, status: expected });
          if (expected === 200) model.associated = model.associated.filter((id) => id !== clientId);
        } else if (operation === 'primary') {
          response = await api.request('PUT', `/v1/contacts/${user.contactId}/primary-client`, { clientId });
          if (model.archived.has(clientId)) expect({ where, status: response.status }).toEqual({ where, status: 409 });
          else {
            expect({ where, status: response.status }).toEqual({ where, status: 200 });
            model.primary = clientId;
            if (!model.associated.includes(clientId)) model.associated.push(clientId);
          }
        } else {
          response = await api.request('DELETE', `/v1/clients/${clientId}`);
          expect({ where, status: response.status }).toEqual({ where, status: 200 });
          model.archived.add(clientId);
          if (model.associated.includes(clientId) && current().length === 0) model.revoked = true;
        }
        position = Math.max(position, response.body?.position ?? 0);

        const me = await read('/v1/portal/me', user.headers);
        if (model.revoked) {
          expect({ where, status: me.status }).toEqual({ where, status: 401 });
          continue;
        }
        const expectedCompanies = current();
        expect({ where, me: me.body.clientIds }).toEqual({ where, me: expectedCompanies });
        const seenQuotes = ids(await read('/v1/portal/quotes?limit=200', user.headers));
        const seenShifts = ids(await read('/v1/portal/shifts?limit=200', user.headers));
        expect({ where, quotes: seenQuotes }).toEqual({ where, quotes: expectedCompanies.map((id) => quotes.get(id)!).sort() });
        expect({ where, shifts: seenShifts }).toEqual({ where, shifts: expectedCompanies.map((id) => shifts.get(id)!).sort() });
        // And each company's document opens exactly when the company is one of the user's.
        for (const clientId of companies) {
          const opened = await read(`/v1/portal/quotes/${quotes.get(clientId)}`, user.headers);
          expect({ where, clientId, status: opened.status }).toEqual({ where, clientId, status: expectedCompanies.includes(clientId) ? 200 : 404 });
        }
      }
    }
  });
});

/** A small seeded pseudo-random generator (mulberry32): the same seed, the same sequence. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
