import { randomUUID } from 'node:crypto';
import { removeDataDir, Response, startApp, TestApp, tokenIn } from '../support/app';
import { expectProblem } from '../support/problems';
import { signedInPortalUser, SignedInPortalUser } from '../support/portal-user';

/**
 * Projects over real HTTP: client companies in projects and the primary client, client users
 * with rates, per-project permissions (customize, clone, reset) and what a portal user may see
 * and do with a project's documents, decided from the project as it is at each request.
 */
describe('projects (e2e)', () => {
  let api: TestApp;
  let position = 0;

  async function ok(method: string, path: string, body?: unknown, status = 200, headers: Record<string, string> = {}): Promise<Response> {
    const response = await api.request(method, path, body, headers);
    expect({ method, path, status: response.status, body: response.body }).toMatchObject({ method, path, status });
    position = Math.max(position, response.body?.position ?? 0);
    return response;
  }
  const read = (path: string, headers: Record<string, string> = {}) =>
    api.request('GET', `${path}${path.includes('?') ? '&' : '?'}minPosition=${position}`, undefined, headers);

  /** Refused with this status and problem type, writing nothing. */
  const refused = (method: string, path: string, body: unknown, status: number, type: string, headers: Record<string, string> = {}) =>
    expectProblem(api, () => api.request(method, path, body, headers), { status, type, request: { method, path } });

  const company = async (name: string) => (await ok('POST', '/v1/clients', { name }, 201)).body.id as string;
  const contactOf = async (clientId: string, email: string | null = `${randomUUID()}@client.example`) =>
    (await ok('POST', `/v1/clients/${clientId}/contacts`, email ? { name: 'Cy Gale', email } : { name: 'No Mail' }, 201)).body.id as string;
  const newProject = async (billingMethod = 'staff-hours', name = `Project ${randomUUID().slice(0, 8)}`) =>
    (await ok('POST', '/v1/projects', { name, billingMethod }, 201)).body.id as string;
  const lines = [{ description: 'Staff (hours)', quantity: '10', unitPrice: '45.50' }];
  const quoteFor = async (clientId: string, projectId: string | null) =>
    (
      await ok(
        'POST',
        '/v1/quotes',
        { clientId, projectId, number: `Q-${randomUUID().slice(0, 8)}`, issueDate: '2026-01-05', validUntil: '2099-12-31', currency: 'EUR', lines, link: 'https://erp.example/q/1' },
        201,
      )
    ).body.id as string;
  const invoiceBody = (clientId: string, projectId: string | null) => ({
    clientId,
    projectId,
    number: `I-${randomUUID().slice(0, 8)}`,
    issueDate: '2026-01-05',
    dueDate: '2099-12-31',
    currency: 'EUR',
    lines,
    link: 'https://erp.example/i/1',
  });
  const quoteBody = (clientId: string, projectId: string | null) => {
    const { dueDate: _dueDate, ...header } = invoiceBody(clientId, projectId);
    return { ...header, validUntil: '2099-12-31' };
  };
  const none = { view: false, create: false, edit: false, delete: false, approve: false };
  const viewOnly = { ...none, view: true };

  let viewer: string; // user type: views everything, decides nothing
  let defaultPortal: string;

  beforeAll(async () => {
    api = await startApp({ INVITE_RESEND_COOLDOWN_SECONDS: '0' });
    const portals = await ok('GET', '/v1/portals?limit=200');
    defaultPortal = portals.body.items.find((p: { isDefault: boolean }) => p.isDefault).id;
    viewer = (
      await ok(
        'POST',
        `/v1/portals/${defaultPortal}/user-types`,
        { name: 'Viewer', modules: { shifts: { view: true }, timesheets: { view: true }, quotes: { view: true }, invoices: { view: true }, projects: { view: true } } },
        201,
      )
    ).body.id;
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  describe('companies and the primary client', () => {
    it('the first company added is the primary client; it can be changed; removing it leaves none, and invoices wait for one', async () => {
      const acme = await company('Acme');
      const beta = await company('Beta');
      const projectId = await newProject();
      const first = await ok('POST', `/v1/projects/${projectId}/clients`, { clientId: acme });
      expect(first.body).toMatchObject({ id: projectId, clients: [{ clientId: acme, primary: true }], primaryClientId: acme, clientUsers: [] });
      const second = await ok('POST', `/v1/projects/${projectId}/clients`, { clientId: beta });
      expect(second.body.clients).toEqual([{ clientId: acme, primary: true }, { clientId: beta, primary: false }]);

      // An invoice for the project goes to its primary client.
      await refused('POST', '/v1/invoices', invoiceBody(beta, projectId), 422, 'not-primary-client');
      await ok('POST', '/v1/invoices', invoiceBody(acme, projectId), 201);

      const changed = await ok('PUT', `/v1/projects/${projectId}/primary-client`, { clientId: beta });
      expect(changed.body).toMatchObject({ primaryClientId: beta, clients: [{ clientId: acme, primary: false }, { clientId: beta, primary: true }] });
      await refused('PUT', `/v1/projects/${projectId}/primary-client`, { clientId: await company('Gamma') }, 422, 'client-not-in-project');

      const removed = await ok('DELETE', `/v1/projects/${projectId}/clients/${beta}`);
      expect(removed.body).toMatchObject({ primaryClientId: null, clients: [{ clientId: acme, primary: false }] });
      expect((await read(`/v1/projects/${projectId}`)).body.primaryClientId).toBeNull();
      await refused('POST', '/v1/invoices', invoiceBody(acme, projectId), 409, 'project-has-no-primary-client');
      await ok('PUT', `/v1/projects/${projectId}/primary-client`, { clientId: acme });
      await ok('POST', '/v1/invoices', invoiceBody(acme, projectId), 201);
      await refused('DELETE', `/v1/projects/${projectId}/clients/${beta}`, undefined, 404, 'project-client-not-found');
    });

    it('lists projects, a company’s projects, and edits and archives them; a company can be registered into projects', async () => {
      const acme = await company('Acme listed');
      const p1 = await newProject('fixed', 'Listed one');
      const p2 = await newProject('none', 'Listed two');
      // Registered into both at once, the primary of each (their first company).
      const registered = await ok('POST', '/v1/clients', { name: 'Delta', projectIds: [p1, p2] }, 201);
      const delta = registered.body.id as string;
      expect((await read(`/v1/projects/${p1}`)).body.primaryClientId).toBe(delta);
      await ok('POST', `/v1/projects/${p1}/clients`, { clientId: acme });
      const ofDelta = await read(`/v1/projects?clientId=${delta}`);
      expect(ofDelta.body.items.map((p: { id: string }) => p.id).sort()).toEqual([p1, p2].sort());
      expect(ofDelta.body.items.find((p: { id: string }) => p.id === p1)).toMatchObject({ name: 'Listed one', billingMethod: 'fixed', clientCount: 2, primaryClientId: delta, archived: false });

      await ok('PATCH', `/v1/projects/${p2}`, { name: 'Listed two (renamed)', billingMethod: 'staff-hours' });
      await ok('POST', `/v1/projects/${p2}/archive`);
      expect((await read('/v1/projects?limit=200')).body.items.map((p: { id: string }) => p.id)).not.toContain(p2);
      expect((await read('/v1/projects?archived=true&limit=200')).body.items).toEqual([expect.objectContaining({ id: p2, name: 'Listed two (renamed)', archived: true })]);
      await refused('POST', `/v1/projects/${p2}/clients`, { clientId: acme }, 409, 'project-archived');
      await refused('POST', '/v1/clients', { name: 'Epsilon', projectIds: [p1, p2] }, 409, 'project-archived');
      await refused('POST', '/v1/clients', { name: 'Epsilon', projectIds: [randomUUID()] }, 404, 'project-not-found');
      await refused('POST', '/v1/projects', { name: 'X', billingMethod: 'hourly' }, 422, 'validation-failed');
      await refused('GET', `/v1/projects/${randomUUID()}`, undefined, 404, 'project-not-found');
    });

    it('documents name only a project their company is in (422), an existing one (422), not archived (409)', async () => {
      const acme = await company('Acme docs');
      const other = await company('Other docs');
      const projectId = await newProject();
      await ok('POST', `/v1/projects/${projectId}/clients`, { clientId: acme });
      await refused('POST', '/v1/quotes', quoteBody(other, projectId), 422, 'client-not-in-project');
      await refused('POST', '/v1/quotes', quoteBody(acme, randomUUID()), 422, 'unknown-project');
      const shift = { clientId: other, projectId, staffMember: { name: 'Kenji' }, start: '2026-03-02T08:00:00+09:00', end: '2026-03-02T17:00:00+09:00' };
      await refused('POST', '/v1/shifts', shift, 422, 'client-not-in-project');
      const entries = [{ date: '2026-03-02', start: '08:00', end: '16:00', breakMinutes: 30 }];
      await refused('POST', '/v1/timesheets', { clientId: other, projectId, staffMember: { name: 'Jonas' }, entries }, 422, 'client-not-in-project');
      const shiftId = (await ok('POST', '/v1/shifts', { ...shift, clientId: acme, projectId: null }, 201)).body.id;
      await refused('PATCH', `/v1/shifts/${shiftId}`, { projectId: randomUUID() }, 422, 'unknown-project');
      await ok('PATCH', `/v1/shifts/${shiftId}`, { projectId });
      await ok('POST', `/v1/projects/${projectId}/archive`);
      await refused('POST', '/v1/quotes', quoteBody(acme, projectId), 409, 'project-archived');
    });
  });

  describe('client users and rates', () => {
    it('adds contacts of the project’s companies with a rate only where the project bills by staff hours; the portal-level rate fills in', async () => {
      const acme = await company('Acme users');
      const outsider = await company('Outsider');
      const hours = await newProject('staff-hours');
      const fixed = await newProject('fixed');
      for (const p of [hours, fixed]) await ok('POST', `/v1/projects/${p}/clients`, { clientId: acme });
      const ana = await contactOf(acme);
      const bo = await contactOf(acme);

      const added = await ok('POST', `/v1/projects/${hours}/client-users`, { contactId: ana, hourlyRate: { amount: '45.50', currency: 'EUR' } }, 201);
      expect(added.body).toMatchObject({ projectId: hours, contactId: ana, clientId: acme, hourlyRate: { amount: '45.50', currency: 'EUR' }, customized: false, rateSource: 'project' });
      await refused('POST', `/v1/projects/${fixed}/client-users`, { contactId: ana, hourlyRate: { amount: '45.50', currency: 'EUR' } }, 422, 'rate-not-applicable');
      await refused('POST', `/v1/projects/${hours}/client-users`, { contactId: await contactOf(outsider) }, 422, 'client-not-in-project');
      await refused('POST', `/v1/projects/${hours}/client-users`, { contactId: bo, hourlyRate: { amount: '45.505', currency: 'EUR' } }, 422, 'invalid-amount');
      await refused('POST', `/v1/projects/${hours}/client-users`, { contactId: randomUUID() }, 404, 'contact-not-found');

      // bo has no project rate: its portal-level rate applies.
      await ok('POST', `/v1/projects/${hours}/client-users`, { contactId: bo }, 201);
      await ok('PUT', `/v1/contacts/${bo}/hourly-rate`, { hourlyRate: { amount: '40', currency: 'EUR' } });
      expect((await read(`/v1/projects/${hours}/client-users/${bo}`)).body).toMatchObject({ hourlyRate: null, effectiveHourlyRate: { amount: '40.00', currency: 'EUR' }, rateSource: 'portal' });
      const changed = await ok('PATCH', `/v1/projects/${hours}/client-users/${bo}`, { hourlyRate: { amount: '52', currency: 'EUR' } });
      expect(changed.body).toMatchObject({ hourlyRate: { amount: '52.00', currency: 'EUR' }, effectiveHourlyRate: { amount: '52.00', currency: 'EUR' }, rateSource: 'project' });
      await refused('PATCH', `/v1/projects/${fixed}/client-users/${ana}`, { hourlyRate: { amount: '1', currency: 'EUR' } }, 404, 'client-user-not-found');

      const project = (await read(`/v1/projects/${hours}`)).body;
      expect(project.clientUsers).toEqual([
        { contactId: ana, clientId: acme, hourlyRate: { amount: '45.50', currency: 'EUR' }, customized: false },
        { contactId: bo, clientId: acme, hourlyRate: { amount: '52.00', currency: 'EUR' }, customized: false },
      ]);
      // The same user into several projects at once.
      const p3 = await newProject('none');
      await ok('POST', `/v1/projects/${p3}/clients`, { clientId: acme });
      const several = await ok('POST', `/v1/contacts/${bo}/projects`, { projectIds: [fixed, p3] });
      expect(several.body.projects.map((p: { projectId: string }) => p.projectId)).toEqual([fixed, p3]);
      const ofBo = await read(`/v1/contacts/${bo}/projects`);
      expect(ofBo.body).toMatchObject({ hourlyRate: { amount: '40.00', currency: 'EUR' } });
      expect(ofBo.body.items.map((p: { projectId: string }) => p.projectId).sort()).toEqual([hours, fixed, p3].sort());
    });

    it('invites a contact without portal access, the email naming the projects; one without an email is added, not invited', async () => {
      const acme = await company('Acme invite');
      const p1 = await newProject('none', 'Harbour extension');
      const p2 = await newProject('none', 'Night logistics');
      for (const p of [p1, p2]) await ok('POST', `/v1/projects/${p}/clients`, { clientId: acme });
      const email = `${randomUUID()}@client.example`;
      const dee = await contactOf(acme, email);
      const added = await ok('POST', `/v1/contacts/${dee}/projects`, { projectIds: [p1, p2], userTypeId: viewer });
      expect(added.body.invitation).toMatchObject({ status: 'invited', portalId: defaultPortal, emailSent: true });
      const invitation = (await api.outbox()).filter((m) => m.content.includes(`To: ${email}`));
      expect(invitation).toHaveLength(1);
      expect(invitation[0].content).toContain('Projects: Harbour extension, Night logistics');
      expect((await read(`/v1/contacts/${dee}/portal-access`)).body).toMatchObject({ status: 'Invited', userTypeId: viewer });
      // Already invited: not invited again.
      const p3 = await newProject('none');
      await ok('POST', `/v1/projects/${p3}/clients`, { clientId: acme });
      expect((await ok('POST', `/v1/projects/${p3}/client-users`, { contactId: dee }, 201)).body.invitation).toMatchObject({ status: 'has-access' });
      const silent = await contactOf(acme, null);
      expect((await ok('POST', `/v1/projects/${p3}/client-users`, { contactId: silent }, 201)).body.invitation).toMatchObject({ status: 'no-email' });
      await refused('POST', `/v1/projects/${p3}/client-users`, { contactId: await contactOf(acme), userTypeId: randomUUID() }, 422, 'unknown-user-type');
    });
  });

  describe('per-project permissions in the portal', () => {
    let acme: string;
    let beta: string;
    let projectId: string;
    let ana: SignedInPortalUser; // acme, in the project
    let bo: SignedInPortalUser; // acme, in the project
    let cy: SignedInPortalUser; // acme, not in the project
    let dee: SignedInPortalUser; // beta, in the project (until beta leaves it)
    let projectQuote: string;
    let plainQuote: string;
    let betaQuote: string;

    beforeAll(async () => {
      acme = await company('Acme portal');
      beta = await company('Beta portal');
      projectId = await newProject('staff-hours', 'Portal project');
      await ok('POST', `/v1/projects/${projectId}/clients`, { clientId: acme });
      await ok('POST', `/v1/projects/${projectId}/clients`, { clientId: beta });
      [ana, bo, cy] = [await signedInPortalUser(api, acme, { userTypeId: viewer }), await signedInPortalUser(api, acme, { userTypeId: viewer }), await signedInPortalUser(api, acme, { userTypeId: viewer })];
      dee = await signedInPortalUser(api, beta, { userTypeId: viewer });
      for (const user of [ana, bo, dee]) await ok('POST', `/v1/projects/${projectId}/client-users`, { contactId: user.contactId }, 201);
      projectQuote = await quoteFor(acme, projectId);
      plainQuote = await quoteFor(acme, null);
      betaQuote = await quoteFor(beta, projectId);
    });

    it('GET /v1/portal/projects lists only the projects the user belongs to', async () => {
      const mine = await read('/v1/portal/projects', ana.headers);
      expect(mine.status).toBe(200);
      expect(mine.body.items).toEqual([
        expect.objectContaining({ id: projectId, name: 'Portal project', clientId: acme, primaryClientId: acme, source: { kind: 'user-type', userTypeId: viewer } }),
      ]);
      expect((await read('/v1/portal/projects', cy.headers)).body.items).toEqual([]);
    });

    it('a user of the company who is not in the project: 404 on the project’s documents, and they are not listed', async () => {
      expect((await read(`/v1/portal/quotes/${projectQuote}`, ana.headers)).status).toBe(200);
      expect((await read(`/v1/portal/quotes/${projectQuote}`, cy.headers)).body).toMatchObject({ status: 404, type: '/problems/quote-not-found' });
      expect((await read(`/v1/portal/documents/${projectQuote}`, cy.headers)).status).toBe(404);
      expect((await read(`/v1/portal/quotes/${plainQuote}`, cy.headers)).status).toBe(200);
      const listed = (await read('/v1/portal/quotes?limit=200', cy.headers)).body.items.map((q: { id: string }) => q.id);
      expect(listed).toContain(plainQuote);
      expect(listed).not.toContain(projectQuote);
      expect((await read('/v1/portal/quotes?limit=200', ana.headers)).body.items.map((q: { id: string }) => q.id)).toEqual(expect.arrayContaining([plainQuote, projectQuote]));
      // Another company's document of the same project stays that company's.
      expect((await read(`/v1/portal/quotes/${betaQuote}`, ana.headers)).status).toBe(404);
      expect((await read(`/v1/portal/quotes/${betaQuote}`, dee.headers)).status).toBe(200);
      // Not allowed to accept in the project, and not its company's: "not found", never "forbidden".
      await refused('POST', `/v1/portal/quotes/${projectQuote}/accept`, undefined, 404, 'quote-not-found', dee.headers);
      await refused('POST', `/v1/portal/quotes/${betaQuote}/accept`, undefined, 403, 'forbidden', dee.headers);
    });

    it('a permission not granted is 403; customized in the project it is granted there only; cloned, then reset', async () => {
      await refused('POST', `/v1/portal/quotes/${projectQuote}/accept`, undefined, 403, 'forbidden', ana.headers);
      const customized = await ok('PUT', `/v1/projects/${projectId}/client-users/${ana.contactId}/permissions`, { modules: { quotes: { view: true, approve: true }, projects: { view: true } } });
      expect(customized.body).toMatchObject({ projectId, contactId: ana.contactId, portalId: defaultPortal, modules: { quotes: { view: true, approve: true }, invoices: none }, source: { kind: 'project', clonedFrom: null } });
      const effective = await read(`/v1/projects/${projectId}/client-users/${ana.contactId}/permissions`);
      expect(effective.body).toEqual({ projectId, contactId: ana.contactId, portalId: defaultPortal, modules: customized.body.modules, source: { kind: 'project', clonedFrom: null } });
      // In the project: allowed. Outside it: its user type still decides.
      await ok('POST', `/v1/portal/quotes/${projectQuote}/accept`, undefined, 200, ana.headers);
      await refused('POST', `/v1/portal/quotes/${plainQuote}/accept`, undefined, 403, 'forbidden', ana.headers);
      // Invoices are not in its customization: not even viewable in the project.
      const invoiceId = (await ok('POST', '/v1/invoices', invoiceBody(acme, projectId), 201)).body.id;
      expect((await read(`/v1/portal/invoices/${invoiceId}`, ana.headers)).status).toBe(403);
      expect((await read('/v1/portal/invoices?limit=200', ana.headers)).body.items.map((i: { id: string }) => i.id)).not.toContain(invoiceId);
      expect((await read(`/v1/portal/invoices/${invoiceId}`, bo.headers)).status).toBe(200);

      // Cloned to bo: bo may approve in the project too.
      const cloned = await ok('POST', `/v1/projects/${projectId}/client-users/${ana.contactId}/permissions/clone`, { contactIds: [bo.contactId] });
      expect(cloned.body).toMatchObject({ fromContactId: ana.contactId, contactIds: [bo.contactId] });
      expect((await read(`/v1/projects/${projectId}/client-users/${bo.contactId}/permissions`)).body.source).toEqual({ kind: 'project', clonedFrom: ana.contactId });
      expect((await read(`/v1/portal/approvals`, bo.headers)).body.items.map((d: { id: string }) => d.id)).toEqual([]);
      const another = await quoteFor(acme, projectId);
      expect((await read(`/v1/portal/approvals`, bo.headers)).body.items.map((d: { id: string }) => d.id)).toEqual([another]);
      expect((await read(`/v1/portal/approvals`, cy.headers)).body.items).toEqual([]);
      await refused('POST', `/v1/projects/${projectId}/client-users/${dee.contactId}/permissions/clone`, { contactIds: [ana.contactId] }, 409, 'permissions-not-customized');
      await refused('POST', `/v1/projects/${projectId}/client-users/${ana.contactId}/permissions/clone`, { contactIds: [cy.contactId] }, 404, 'client-user-not-found');

      // Reset: the user type's permissions again.
      const reset = await ok('DELETE', `/v1/projects/${projectId}/client-users/${bo.contactId}/permissions`);
      expect(reset.body).toMatchObject({ source: { kind: 'user-type', userTypeId: viewer }, modules: { quotes: viewOnly } });
      await refused('POST', `/v1/portal/quotes/${another}/accept`, undefined, 403, 'forbidden', bo.headers);
      expect((await read(`/v1/projects/${projectId}`)).body.clientUsers.find((u: { contactId: string }) => u.contactId === ana.contactId).customized).toBe(true);
    });

    it('a removed user loses the project at once (404); a company removed from the project takes its users with it', async () => {
      const quote = await quoteFor(acme, projectId);
      expect((await api.request('GET', `/v1/portal/quotes/${quote}`, undefined, bo.headers)).status).toBe(200);
      const removed = await ok('DELETE', `/v1/projects/${projectId}/client-users/${bo.contactId}`, { notify: true });
      expect(removed.body.emailSent).toBe(true);
      const notice = (await api.outbox()).filter((m) => m.content.includes(`To: ${bo.email}`)).at(-1)!;
      expect(notice.content).toContain('Portal project');
      // The very next request, the same session, no read model awaited.
      expect((await api.request('GET', `/v1/portal/quotes/${quote}`, undefined, bo.headers)).body).toMatchObject({ status: 404, type: '/problems/quote-not-found' });
      expect((await api.request('GET', '/v1/portal/projects', undefined, bo.headers)).body.items).toEqual([]);
      expect((await api.request('GET', `/v1/portal/documents/${quote}`, undefined, bo.headers)).status).toBe(404);

      expect((await api.request('GET', `/v1/portal/quotes/${betaQuote}`, undefined, dee.headers)).status).toBe(200);
      await ok('DELETE', `/v1/projects/${projectId}/clients/${beta}`);
      expect((await api.request('GET', `/v1/portal/quotes/${betaQuote}`, undefined, dee.headers)).status).toBe(404);
      expect((await read(`/v1/projects/${projectId}`)).body.clientUsers.map((u: { contactId: string }) => u.contactId)).toEqual([ana.contactId]);

      // A revoked access: 401.
      await ok('POST', `/v1/contacts/${ana.contactId}/portal-access/revoke`, {});
      expect((await api.request('GET', '/v1/portal/projects', undefined, ana.headers)).status).toBe(401);
    });

    it('a timesheet for a project needs the user’s create permission there', async () => {
      const creator = await signedInPortalUser(api, acme, { userTypeId: viewer });
      const entries = [{ date: '2026-03-02', start: '08:00', end: '16:00', breakMinutes: 30 }];
      const body = { projectId, staffMember: { name: 'Jonas' }, entries };
      await refused('POST', '/v1/portal/timesheets', body, 404, 'project-not-found', creator.headers);
      await ok('POST', `/v1/projects/${projectId}/client-users`, { contactId: creator.contactId }, 201);
      await refused('POST', '/v1/portal/timesheets', body, 403, 'forbidden', creator.headers);
      await ok('PUT', `/v1/projects/${projectId}/client-users/${creator.contactId}/permissions`, { modules: { timesheets: { view: true, create: true } } });
      const created = await ok('POST', '/v1/portal/timesheets', body, 201, creator.headers);
      expect((await read(`/v1/portal/timesheets/${created.body.id}`, creator.headers)).body).toMatchObject({ projectId });
      await refused('POST', '/v1/portal/timesheets', { ...body, projectId: null }, 403, 'forbidden', creator.headers);
    });
  });

  describe('bringing companies and contacts in from a CRM', () => {
    it('converts a deal: its company is the primary client, or a plain one where the project has a primary; again, nothing new', async () => {
      const dealName = `Deal ${randomUUID().slice(0, 8)}`;
      const email = `${randomUUID()}@deal.example`;
      const first = await ok('POST', '/v1/projects/from-deal', { dealName, billingMethod: 'staff-hours', company: { name: `Deal Co ${dealName}` }, contacts: [{ name: 'Ana Deal', email }] });
      expect(first.body).toMatchObject({ name: dealName, billingMethod: 'staff-hours', deal: { projectCreated: true, clientRegistered: true, primary: true } });
      const clientId = first.body.deal.clientId;
      expect(first.body.primaryClientId).toBe(clientId);
      expect(first.body.clientUsers).toEqual([expect.objectContaining({ contactId: first.body.deal.contactIds[0], clientId })]);
      expect(first.body.deal.invited).toEqual(first.body.deal.contactIds);
      expect((await api.outbox()).some((m) => m.content.includes(`To: ${email}`) && m.content.includes(dealName))).toBe(true);

      const again = await ok('POST', '/v1/projects/from-deal', { dealName, company: { name: `Deal Co ${dealName}` }, contacts: [{ name: 'Ana Deal', email }] });
      expect(again.body).toMatchObject({ id: first.body.id, deal: { projectCreated: false, clientRegistered: false, primary: true, invited: [] } });
      expect(again.body.position).toBeLessThanOrEqual(first.body.position);

      const second = await ok('POST', '/v1/projects/from-deal', { dealName, company: { name: `Second Co ${dealName}` }, contacts: [] });
      expect(second.body).toMatchObject({ id: first.body.id, primaryClientId: clientId, deal: { primary: false } });
      expect(second.body.clients).toHaveLength(2);
      await refused('POST', '/v1/projects/from-deal', { dealName, company: {}, contacts: [] }, 422, 'validation-failed');
      await refused('POST', '/v1/projects/from-deal', { dealName, company: { clientId: randomUUID() }, contacts: [] }, 404, 'client-not-found');
    });

    it('the CSV import’s project column puts the companies in the project and their contacts in as client users', async () => {
      const projectName = `Imported ${randomUUID().slice(0, 8)}`;
      const csv = [
        'company_name,contact_name,contact_email,project',
        `Import Alpha ${projectName},Ana Import,ana.${projectName.slice(9)}@import.example,${projectName}`,
        `Import Beta ${projectName},Bo Import,bo.${projectName.slice(9)}@import.example,${projectName}`,
        `Import Gamma ${projectName},Cy Import,,`,
      ].join('\n');
      const run = async () => {
        const accepted = await ok('POST', '/v1/imports/contacts', csv, 202, { 'content-type': 'text/csv' });
        const deadline = Date.now() + 10_000;
        let status: Response;
        while ((status = await api.request('GET', `/v1/imports/${accepted.body.id}`)).body.status !== 'completed') {
          if (Date.now() > deadline) throw new Error('import not completed');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        position = Math.max(position, status.body.position);
        return status.body;
      };
      const done = await run();
      expect(done).toMatchObject({ applied: 3, invalid: 0 });
      const listed = (await read('/v1/projects?limit=200')).body.items.find((p: { name: string }) => p.name === projectName);
      expect(listed).toMatchObject({ billingMethod: 'none', clientCount: 2, clientUserCount: 2 });
      const project = (await read(`/v1/projects/${listed.id}`)).body;
      expect(project.clients.map((c: { primary: boolean }) => c.primary)).toEqual([true, false]);
      expect(project.primaryClientId).toBe(project.clients[0].clientId);
      // Importing the same file again changes nothing.
      const again = await run();
      expect(again).toMatchObject({ applied: 3, unchanged: 3, created: 0 });
      // A project name the archive took: the row is refused.
      await ok('POST', `/v1/projects/${listed.id}/archive`);
      const archived = await run();
      expect(archived.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'project' })]));
    });
  });
});
