import { randomUUID } from 'node:crypto';
import { removeDataDir, Response, startApp, TestApp } from '../support/app';
import { signedInPortalUser } from '../support/portal-user';
import { expectProblem } from '../support/problems';

/**
 * Documents follow a contact's dissociation: `DELETE
 * /v1/contacts/:id/associations/:clientId?documents=move` moves the documents of that company
 * whose contact it is (addressed to it, or created by it in the portal) to the contact's
 * primary company, whatever their status; `keep` (the default) moves nothing. A moved
 * document is the new company's: its staff lists and portal users see it, the old company's
 * answer 404.
 */
describe('documents move on dissociation (e2e)', () => {
  let api: TestApp;
  let position = 0;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const head = async () => (await api.request('GET', '/health')).body.headPosition as number;

  interface User {
    contactId: string;
    session: string;
  }
  let portalId: string;
  const types: Record<string, string> = {};
  let companyA: string;
  let companyB: string;

  async function ok(method: string, path: string, body?: unknown, status = 200, headers: Record<string, string> = {}): Promise<Response> {
    const response = await api.request(method, path, body, headers);
    expect({ method, path, status: response.status, body: response.body }).toMatchObject({ method, path, status });
    position = Math.max(position, response.body?.position ?? 0);
    return response;
  }
  const read = (path: string, headers: Record<string, string> = {}) =>
    api.request('GET', `${path}${path.includes('?') ? '&' : '?'}minPosition=${position}`, undefined, headers);

  const refused = (method: string, path: string, status: number, type: string, headers: Record<string, string> = {}, body?: unknown) =>
    expectProblem(api, () => api.request(method, path, body, headers), { status, type, request: { method, path } });

  async function contact(clientId: string): Promise<string> {
    return (await ok('POST', `/v1/clients/${clientId}/contacts`, { name: 'Pat', email: `${randomUUID()}@client.example` }, 201)).body.id as string;
  }

  async function portalUser(clientId: string, userType: string): Promise<User> {
    const { contactId, session } = await signedInPortalUser(api, clientId, { name: 'Pat', userTypeId: types[userType] });
    return { contactId, session };
  }

  async function shareQuote(clientId: string, contactId: string | null): Promise<string> {
    const body = {
      clientId,
      contactId,
      number: `Q-${randomUUID().slice(0, 8)}`,
      issueDate: '2026-01-05',
      validUntil: '2099-12-31',
      currency: 'EUR',
      lines: [{ description: 'Temporary staff (hours)', quantity: '10', unitPrice: '45.50' }],
      link: 'https://erp.example/quotes/1',
    };
    return (await ok('POST', '/v1/quotes', body, 201)).body.id as string;
  }

  const ids = (response: Response) => (response.body.items as { id: string }[]).map((item) => item.id);

  beforeAll(async () => {
    api = await startApp({ INVITE_RESEND_COOLDOWN_SECONDS: '0' });
    const portals = await ok('GET', '/v1/portals?limit=200');
    portalId = portals.body.items.find((p: { isDefault: boolean }) => p.isDefault).id;
    const none = { view: false, create: false, edit: false, delete: false, approve: false };
    const define = async (name: string, modules: Record<string, unknown>) => {
      types[name] = (await ok('POST', `/v1/portals/${portalId}/user-types`, { name, modules }, 201)).body.id;
    };
    await define('approver', { quotes: { ...none, view: true, approve: true }, timesheets: { ...none, view: true, approve: true } });
    await define('clerk', { timesheets: { ...none, view: true, create: true } });
    companyA = (await ok('POST', '/v1/clients', { name: 'Acme Logística' }, 201)).body.id;
    companyB = (await ok('POST', '/v1/clients', { name: 'Bau B' }, 201)).body.id;
  });
  afterAll(async () => {
    await api?.close();
    removeDataDir(api.dataDir);
  });

  it('documents=move: the quotes addressed to the contact, pending or accepted, become its primary company’s', async () => {
    const ana = await portalUser(companyA, 'approver'); // company A's own portal user
    const cy = await portalUser(companyB, 'approver'); // primary company B, also associated with A
    await ok('POST', `/v1/contacts/${cy.contactId}/associations`, { clientId: companyA });

    const pending = await shareQuote(companyA, cy.contactId);
    const accepted = await shareQuote(companyA, cy.contactId);
    const forTheCompany = await shareQuote(companyA, null);
    await ok('POST', `/v1/portal/quotes/${accepted}/accept`, {}, 200, as(ana.session));

    // Before: company A's; Cy, associated with A, acts for A too.
    expect((await read(`/v1/portal/quotes/${pending}`, as(ana.session))).status).toBe(200);
    expect((await read(`/v1/portal/quotes/${pending}`, as(cy.session))).status).toBe(200);

    // Never from the primary company; nothing written.
    await refused('DELETE', `/v1/contacts/${cy.contactId}/associations/${companyB}?documents=move`, 409, 'cannot-dissociate-primary-client');

    const dissociated = await ok('DELETE', `/v1/contacts/${cy.contactId}/associations/${companyA}?documents=move`);
    expect(dissociated.body).toEqual({ id: cy.contactId, position: expect.any(Number), documentsMoved: 2, documentsNotMoved: 0 });
    // The answer's position is the last one written: the second move, after the dissociation.
    expect(dissociated.body.position).toBe(await head());

    // Staff: each quote's own view, and the lists, follow the move; the decision stays.
    expect((await read(`/v1/quotes/${pending}`)).body).toMatchObject({ id: pending, clientId: companyB, contactId: cy.contactId, status: 'pending', decision: null });
    expect((await read(`/v1/quotes/${accepted}`)).body).toMatchObject({
      id: accepted,
      clientId: companyB,
      status: 'accepted',
      decision: { status: 'accepted', contactId: ana.contactId, reason: null },
    });
    expect((await read(`/v1/quotes/${forTheCompany}`)).body).toMatchObject({ clientId: companyA });
    const listB = ids(await read(`/v1/quotes?clientId=${companyB}&limit=200`));
    const listA = ids(await read(`/v1/quotes?clientId=${companyA}&limit=200`));
    expect(listB).toEqual(expect.arrayContaining([pending, accepted]));
    expect(listA).toContain(forTheCompany);
    expect(listA).not.toContain(pending);
    expect(listA).not.toContain(accepted);
    const documentsB = ids(await read(`/v1/clients/${companyB}/documents?limit=200`));
    const documentsA = ids(await read(`/v1/clients/${companyA}/documents?limit=200`));
    expect(documentsB).toEqual(expect.arrayContaining([pending, accepted]));
    expect(documentsA).not.toContain(pending);

    // Portal: now B's portal users see them (and open them: viewed), A's get 404.
    expect((await read(`/v1/portal/quotes/${pending}`, as(cy.session))).body).toMatchObject({ id: pending, clientId: companyB });
    expect(ids(await read('/v1/portal/quotes?limit=200', as(cy.session)))).toEqual(expect.arrayContaining([pending, accepted]));
    expect((await read(`/v1/portal/documents/${pending}`, as(cy.session))).status).toBe(200);
    await ok('POST', `/v1/portal/documents/${accepted}/comments`, { text: 'Filed with us now' }, 201, as(cy.session));
    expect((await read(`/v1/portal/quotes/${pending}`, as(ana.session))).status).toBe(404);
    expect((await read(`/v1/portal/documents/${pending}`, as(ana.session))).status).toBe(404);
    expect(ids(await read('/v1/portal/quotes?limit=200', as(ana.session)))).not.toContain(pending);
    await refused('POST', `/v1/portal/quotes/${pending}/accept`, 404, 'quote-not-found', as(ana.session));

    // The audit trail shows the move on the document's own stream.
    const audit = await read(`/v1/audit?subjectId=${pending}`);
    expect(audit.status).toBe(200);
    expect(JSON.stringify(audit.body)).toContain('DocumentMovedToClient');

    // Dissociating again with move finishes an interrupted move (here: nothing left to move);
    // with keep it is simply not associated any more.
    const again = await ok('DELETE', `/v1/contacts/${cy.contactId}/associations/${companyA}?documents=move`);
    expect(again.body).toMatchObject({ documentsMoved: 0, documentsNotMoved: 0 });
    await refused('DELETE', `/v1/contacts/${cy.contactId}/associations/${companyA}?documents=keep`, 404, 'not-associated');
  });

  it('documents=keep (and the default) moves nothing', async () => {
    for (const query of ['?documents=keep', '']) {
      const dee = await contact(companyB);
      await ok('POST', `/v1/contacts/${dee}/associations`, { clientId: companyA });
      const quoteId = await shareQuote(companyA, dee);
      const dissociated = await ok('DELETE', `/v1/contacts/${dee}/associations/${companyA}${query}`);
      expect(dissociated.body).toEqual({ id: dee, position: expect.any(Number), documentsMoved: 0, documentsNotMoved: 0 });
      expect((await read(`/v1/quotes/${quoteId}`)).body).toMatchObject({ clientId: companyA, contactId: dee });
      expect(ids(await read(`/v1/quotes?clientId=${companyA}&limit=200`))).toContain(quoteId);
    }
  });

  it('documents=move: a timesheet the contact created in the portal, approved (final), moves to its new primary company', async () => {
    const tim = await portalUser(companyA, 'clerk'); // primary A when invited
    const created = await ok('POST', '/v1/portal/timesheets', { staffMember: { name: 'Jonas Weber' }, entries: [{ date: '2026-03-02', start: '08:00', end: '12:00' }] }, 201, as(tim.session));
    const timesheetId = created.body.id as string;
    await ok('POST', `/v1/timesheets/${timesheetId}/approve`);
    expect((await read(`/v1/timesheets/${timesheetId}`)).body).toMatchObject({ clientId: companyA, contactId: tim.contactId, status: 'approved' });

    // B becomes the primary company (A stays associated), then A is left with its documents.
    await ok('PUT', `/v1/contacts/${tim.contactId}/primary-client`, { clientId: companyB });
    const dissociated = await ok('DELETE', `/v1/contacts/${tim.contactId}/associations/${companyA}?documents=move`);
    expect(dissociated.body).toMatchObject({ documentsMoved: 1, documentsNotMoved: 0 });

    expect((await read(`/v1/timesheets/${timesheetId}`)).body).toMatchObject({ clientId: companyB, contactId: tim.contactId, status: 'approved' });
    expect(ids(await read(`/v1/timesheets?clientId=${companyB}&limit=200`))).toContain(timesheetId);
    expect(ids(await read(`/v1/timesheets?clientId=${companyA}&limit=200`))).not.toContain(timesheetId);
    // Its portal access follows its companies: B's timesheet is still Tim's to see.
    expect((await read(`/v1/portal/timesheets/${timesheetId}`, as(tim.session))).body).toMatchObject({ id: timesheetId, clientId: companyB });
    // Still final.
    await refused('POST', `/v1/timesheets/${timesheetId}/reject`, 409, 'timesheet-final', {}, { reason: 'too late' });
  });
});
