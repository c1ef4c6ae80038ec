import { randomUUID } from 'node:crypto';
import { removeDataDir, Response, startApp, TestApp } from '../support/app';
import { signedInPortalUser } from '../support/portal-user';
import { expectProblem } from '../support/problems';

/**
 * Quotes and invoices over real HTTP: staff share them, portal users of the company see them
 * (and nothing of another company), accept or decline quotes, and pay invoices in parts.
 */
describe('quotes and invoices (e2e)', () => {
  let api: TestApp;
  let position = 0;
  const anonymous = { authorization: '' };
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  interface User {
    clientId: string;
    contactId: string;
    email: string;
    password: string;
    session: string;
  }
  let types: { approver: string; viewer: string; shiftsOnly: string };
  let companyA: string;
  let companyB: string;
  let ana: User; // company A, may approve quotes and pay invoices
  let vic: User; // company A, may only view quotes and invoices
  let bob: User; // company B, may approve
  let sam: User; // company A, shifts only

  async function ok(method: string, path: string, body?: unknown, status = 200, headers: Record<string, string> = {}): Promise<Response> {
    const response = await api.request(method, path, body, headers);
    expect({ method, path, status: response.status, body: response.body }).toMatchObject({ method, path, status });
    position = Math.max(position, response.body?.position ?? 0);
    return response;
  }
  const read = (path: string, headers: Record<string, string> = {}) =>
    api.request('GET', `${path}${path.includes('?') ? '&' : '?'}minPosition=${position}`, undefined, headers);

  /** Sends a request that must be refused with this status (and problem type) and write nothing. */
  const refused = (method: string, path: string, body: unknown, status: number, type?: string, headers: Record<string, string> = {}) =>
    expectProblem(api, () => api.request(method, path, body, headers), { status, type, request: { method, path, body } });

  async function portalUser(clientId: string, userTypeId: string | null): Promise<User> {
    const { contactId, email, password, session } = await signedInPortalUser(api, clientId, { name: 'Pat', userTypeId: userTypeId ?? undefined });
    return { clientId, contactId, email, password, session };
  }

  const quoteBody = (clientId: string, extra: Record<string, unknown> = {}) => ({
    clientId,
    number: `Q-${randomUUID().slice(0, 8)}`,
    issueDate: '2026-01-05',
    validUntil: '2099-12-31',
    currency: 'BRL',
    lines: [
      { description: 'Temporary staff (hours)', quantity: '160', unitPrice: '45.50' },
      { description: 'Onboarding', quantity: '1', unitPrice: '300.00', amount: '300.00' },
    ],
    tax: '758.00',
    link: 'https://erp.example/quotes/1',
    ...extra,
  });
  const invoiceBody = (clientId: string, extra: Record<string, unknown> = {}) => ({
    clientId,
    number: `INV-${randomUUID().slice(0, 8)}`,
    issueDate: '2026-01-31',
    dueDate: '2099-02-28',
    currency: 'EUR',
    lines: [{ description: 'January staffing', quantity: '10', unitPrice: '10.00' }],
    total: '100.00',
    link: 'https://erp.example/invoices/1',
    ...extra,
  });

  beforeAll(async () => {
    api = await startApp({ INVITE_RESEND_COOLDOWN_SECONDS: '0' });
    const portals = await ok('GET', '/v1/portals?limit=200');
    const portalId = portals.body.items.find((p: { isDefault: boolean }) => p.isDefault).id as string;
    const userType = async (name: string, modules: Record<string, Record<string, boolean>>) =>
      (await ok('POST', `/v1/portals/${portalId}/user-types`, { name, modules }, 201)).body.id as string;
    types = {
      approver: await userType('Approver', { quotes: { view: true, approve: true }, invoices: { view: true, approve: true } }),
      viewer: await userType('Viewer', { quotes: { view: true }, invoices: { view: true } }),
      shiftsOnly: await userType('Shifts only', { shifts: { view: true } }),
    };
    companyA = (await ok('POST', '/v1/clients', { name: 'Acme Logística' }, 201)).body.id;
    companyB = (await ok('POST', '/v1/clients', { name: 'Other Co' }, 201)).body.id;
    ana = await portalUser(companyA, types.approver);
    vic = await portalUser(companyA, types.viewer);
    bob = await portalUser(companyB, types.approver);
    sam = await portalUser(companyA, types.shiftsOnly);
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  describe('quotes', () => {
    it('are shared by staff with computed totals, and seen by the company’s portal users only', async () => {
      const shared = await ok('POST', '/v1/quotes', quoteBody(companyA), 201);
      expect(shared.body).toEqual({ id: expect.any(String), position: expect.any(Number), status: 'pending' });
      const id = shared.body.id as string;

      const staffView = await read(`/v1/quotes/${id}`);
      expect(staffView.status).toBe(200);
      expect(staffView.body).toMatchObject({
        id,
        clientId: companyA,
        contactId: null,
        currency: 'BRL',
        lines: [
          { description: 'Temporary staff (hours)', quantity: '160', unitPrice: '45.50', amount: '7280.00' },
          { description: 'Onboarding', quantity: '1', unitPrice: '300.00', amount: '300.00' },
        ],
        subtotal: '7580.00',
        tax: '758.00',
        total: '8338.00',
        status: 'pending',
        pending: true,
        expired: false,
        decision: null,
      });
      const listed = await read(`/v1/quotes?clientId=${companyA}&status=pending&limit=200`);
      expect(listed.body.items.find((q: { id: string }) => q.id === id)).toMatchObject({ id, total: '8338.00', validUntil: '2099-12-31', expired: false });

      for (const user of [ana, vic]) {
        const seen = await read(`/v1/portal/quotes/${id}`, as(user.session));
        expect(seen.status).toBe(200);
        expect(seen.body).toMatchObject({ id, total: '8338.00', lines: expect.any(Array) });
        expect((await read('/v1/portal/quotes?limit=200', as(user.session))).body.items.map((q: { id: string }) => q.id)).toContain(id);
      }
      // Another company's: exactly like an unknown id.
      const other = await read(`/v1/portal/quotes/${id}`, as(bob.session));
      const unknown = await read(`/v1/portal/quotes/${randomUUID()}`, as(bob.session));
      expect(other.status).toBe(404);
      expect(other.body).toEqual(unknown.body);
      expect((await read('/v1/portal/quotes?limit=200', as(bob.session))).body.items).toEqual([]);
      await refused('POST', `/v1/portal/quotes/${id}/accept`, undefined, 404, 'quote-not-found', as(bob.session));
    });

    it('are accepted by a user with the approve right, once and for all', async () => {
      const id = (await ok('POST', '/v1/quotes', quoteBody(companyA), 201)).body.id as string;
      await refused('POST', `/v1/portal/quotes/${id}/accept`, undefined, 403, 'forbidden', as(vic.session));
      const accepted = await ok('POST', `/v1/portal/quotes/${id}/accept`, undefined, 200, as(ana.session));
      expect(accepted.body).toMatchObject({ id, status: 'accepted' });
      await refused('POST', `/v1/portal/quotes/${id}/accept`, undefined, 409, 'quote-decided', as(ana.session));
      await refused('POST', `/v1/portal/quotes/${id}/decline`, { reason: 'Changed our minds' }, 409, 'quote-decided', as(ana.session));
      await refused('POST', `/v1/quotes/${id}/withdraw`, {}, 409, 'quote-decided');
      const view = await read(`/v1/quotes/${id}`);
      expect(view.body).toMatchObject({ status: 'accepted', pending: false, decision: { status: 'accepted', contactId: ana.contactId, reason: null } });
      const listed = await read(`/v1/quotes?clientId=${companyA}&status=accepted&limit=200`);
      expect(listed.body.items.map((q: { id: string }) => q.id)).toContain(id);
      // The event names the portal user, through the portal channel.
      const audit = await read(`/v1/audit?subjectId=${id}&limit=200`);
      expect(audit.body.items.map((i: { type: string }) => i.type)).toEqual(['QuoteShared', 'QuoteAccepted']);
      expect(audit.body.items[0]).toMatchObject({ channel: 'api', actor: { kind: 'staff' } });
      expect(audit.body.items[1]).toMatchObject({ channel: 'portal', actor: { kind: 'portal-user' }, data: { contactId: ana.contactId } });
    });

    it('are declined with a reason, which is required', async () => {
      const id = (await ok('POST', '/v1/quotes', quoteBody(companyA), 201)).body.id as string;
      await refused('POST', `/v1/portal/quotes/${id}/decline`, {}, 422, 'validation-failed', as(ana.session));
      await refused('POST', `/v1/portal/quotes/${id}/decline`, { reason: '   ' }, 422, 'reason-required', as(ana.session));
      await refused('POST', `/v1/portal/quotes/${id}/decline`, { reason: 'x', extra: 1 }, 422, 'validation-failed', as(ana.session));
      const declined = await ok('POST', `/v1/portal/quotes/${id}/decline`, { reason: 'Over our budget' }, 200, as(ana.session));
      expect(declined.body.status).toBe('declined');
      expect((await read(`/v1/portal/quotes/${id}`, as(vic.session))).body).toMatchObject({
        status: 'declined',
        decision: { status: 'declined', contactId: ana.contactId, reason: 'Over our budget' },
      });
      await refused('POST', `/v1/portal/quotes/${id}/accept`, undefined, 409, 'quote-decided', as(ana.session));
    });

    it('cannot be accepted once expired (after the end of validUntil in the organization’s time zone)', async () => {
      const id = (await ok('POST', '/v1/quotes', quoteBody(companyA, { issueDate: '2020-01-01', validUntil: '2020-01-31' }), 201)).body.id as string;
      expect((await read(`/v1/portal/quotes/${id}`, as(ana.session))).body).toMatchObject({ status: 'pending', expired: true });
      const response = await refused('POST', `/v1/portal/quotes/${id}/accept`, undefined, 409, 'quote-expired', as(ana.session));
      expect(response.body).toMatchObject({ validUntil: '2020-01-31', timeZone: 'UTC' });
    });

    it('may be withdrawn by staff while pending', async () => {
      const id = (await ok('POST', '/v1/quotes', quoteBody(companyA), 201)).body.id as string;
      expect((await ok('POST', `/v1/quotes/${id}/withdraw`, { reason: 'Prices changed' })).body.status).toBe('withdrawn');
      await refused('POST', `/v1/portal/quotes/${id}/accept`, undefined, 409, 'quote-withdrawn', as(ana.session));
    });

    it('refuse bad input with 422 (404 for an unknown company) and write nothing', async () => {
      await refused('POST', '/v1/quotes', { ...quoteBody(companyA), colour: 'blue' }, 422, 'validation-failed');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { lines: [{ description: 'x', quantity: '1', unitPrice: '1', discount: '1' }] }), 422, 'validation-failed');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { currency: 'EURO' }), 422, 'validation-failed');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { currency: 'XYZ' }), 422, 'unknown-currency');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { lines: [{ description: 'x', quantity: '1', unitPrice: '-10.00' }] }), 422, 'validation-failed');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { lines: [{ description: 'x', quantity: '-1', unitPrice: '10.00' }] }), 422, 'validation-failed');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { lines: [{ description: 'x', quantity: '1', unitPrice: 10 }] }), 422, 'validation-failed');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { tax: '-1.00' }), 422, 'validation-failed');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { lines: [] }), 422, 'validation-failed');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { currency: 'JPY', lines: [{ description: 'x', quantity: '1', unitPrice: '10.50' }] }), 422, 'invalid-amount');
      const wrong = await refused('POST', '/v1/quotes', quoteBody(companyA, { total: '8000.00' }), 422, 'amounts-do-not-add-up');
      expect(wrong.body.errors).toEqual([{ field: 'total', message: 'should be 8338.00' }]);
      await refused('POST', '/v1/quotes', quoteBody(companyA, { lines: [{ description: 'x', quantity: '2', unitPrice: '10.00', amount: '25.00' }] }), 422, 'amounts-do-not-add-up');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { link: 'http://erp.example/q' }), 422, 'validation-failed');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { validUntil: '2025-12-31' }), 422, 'invalid-date');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { issueDate: '2026-02-30' }), 422, 'invalid-date');
      await refused('POST', '/v1/quotes', quoteBody(randomUUID()), 404, 'client-not-found');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { contactId: randomUUID() }), 404, 'contact-not-found');
      await refused('POST', '/v1/quotes', quoteBody(companyA, { contactId: bob.contactId }), 422, 'contact-not-of-client');
      await refused('GET', `/v1/quotes?status=lost`, undefined, 422, 'validation-failed');
    });
  });

  describe('invoices', () => {
    it('are paid in parts, the last payment closes them, and an overpayment writes nothing', async () => {
      const id = (await ok('POST', '/v1/invoices', invoiceBody(companyA), 201)).body.id as string;
      expect((await read(`/v1/portal/invoices/${id}`, as(vic.session))).body).toMatchObject({ status: 'open', total: '100.00', paid: '0.00', balance: '100.00', overdue: false });
      expect((await read(`/v1/portal/invoices/${id}`, as(bob.session))).status).toBe(404);

      await refused('POST', `/v1/portal/invoices/${id}/payments`, { amount: '10.00', method: 'card', reference: 'x' }, 403, 'forbidden', as(vic.session));
      const partial = await ok('POST', `/v1/portal/invoices/${id}/payments`, { amount: '40.00', method: 'bank-transfer', reference: 'TRX-1', paidAt: '2026-02-01' }, 201, as(ana.session));
      expect(partial.body).toMatchObject({ id, status: 'open', paid: '40.00', balance: '60.00', paymentId: expect.any(String) });

      const over = await refused('POST', `/v1/portal/invoices/${id}/payments`, { amount: '60.01', method: 'card', reference: 'TRX-2' }, 422, 'overpayment', as(ana.session));
      expect(over.body).toMatchObject({ balance: '60.00', currency: 'EUR' });
      await refused('POST', `/v1/portal/invoices/${id}/payments`, { amount: '-5.00', method: 'card', reference: 'TRX-2' }, 422, 'validation-failed', as(ana.session));
      await refused('POST', `/v1/portal/invoices/${id}/payments`, { amount: '0', method: 'card', reference: 'TRX-2' }, 422, 'invalid-amount', as(ana.session));
      await refused('POST', `/v1/portal/invoices/${id}/payments`, { amount: '5.001', method: 'card', reference: 'TRX-2' }, 422, 'invalid-amount', as(ana.session));
      await refused('POST', `/v1/portal/invoices/${id}/payments`, { amount: '5.00', method: 'cheque', reference: 'TRX-2' }, 422, 'validation-failed', as(ana.session));
      await refused('POST', `/v1/portal/invoices/${id}/payments`, { amount: '5.00', method: 'card', reference: 'TRX-2', tip: '1' }, 422, 'validation-failed', as(ana.session));
      await refused('POST', `/v1/portal/invoices/${id}/payments`, { amount: '5.00', method: 'card', reference: 'TRX-2', paidAt: '2999-01-01' }, 422, 'payment-in-future', as(ana.session));
      await refused('POST', `/v1/portal/invoices/${id}/payments`, { amount: '5.00', method: 'card', reference: 'TRX-2' }, 404, 'invoice-not-found', as(bob.session));

      // Staff record the rest (channel api).
      const rest = await ok('POST', `/v1/invoices/${id}/payments`, { amount: '60', method: 'cash', reference: 'Front desk' }, 201);
      expect(rest.body).toMatchObject({ status: 'paid', paid: '100.00', balance: '0.00' });
      await refused('POST', `/v1/portal/invoices/${id}/payments`, { amount: '0.01', method: 'card', reference: 'TRX-3' }, 409, 'invoice-paid', as(ana.session));
      await refused('POST', `/v1/invoices/${id}/payments`, { amount: '0.01', method: 'card', reference: 'TRX-3' }, 409, 'invoice-paid');

      const view = await read(`/v1/invoices/${id}`);
      expect(view.body).toMatchObject({
        status: 'paid',
        pending: false,
        paid: '100.00',
        balance: '0.00',
        paidAt: expect.any(String),
        payments: [
          { amount: '40.00', method: 'bank-transfer', reference: 'TRX-1', paidAt: '2026-02-01', contactId: ana.contactId },
          { amount: '60.00', method: 'cash', reference: 'Front desk', contactId: null },
        ],
      });
      const listed = await read(`/v1/portal/invoices?status=paid&limit=200`, as(ana.session));
      expect(listed.body.items.find((i: { id: string }) => i.id === id)).toMatchObject({ status: 'paid', paid: '100.00', balance: '0.00' });
      const staffList = await read(`/v1/invoices?status=paid&limit=200`);
      expect(staffList.body.items.map((i: { id: string }) => i.id)).toContain(id);
    });

    it('keep yen without decimals, and refuse bad input', async () => {
      const yen = await ok('POST', '/v1/invoices', invoiceBody(companyA, { currency: 'JPY', lines: [{ description: 'Staff', quantity: '1.5', unitPrice: '1001' }], total: undefined }), 201);
      expect((await read(`/v1/invoices/${yen.body.id}`)).body).toMatchObject({ currency: 'JPY', lines: [{ amount: '1502' }], total: '1502', balance: '1502' });
      await refused('POST', `/v1/portal/invoices/${yen.body.id}/payments`, { amount: '1.5', method: 'card', reference: 'r' }, 422, 'invalid-amount', as(ana.session));
      await refused('POST', '/v1/invoices', invoiceBody(companyA, { dueDate: '2026-01-01' }), 422, 'invalid-date');
      await refused('POST', '/v1/invoices', invoiceBody(companyA, { currency: 'usd' }), 422, 'validation-failed');
      await refused('POST', '/v1/invoices', invoiceBody(companyA, { total: '-100.00' }), 422, 'validation-failed');
      await refused('POST', '/v1/invoices', { ...invoiceBody(companyA), validUntil: '2026-01-01' }, 422, 'validation-failed');
      await refused('POST', `/v1/invoices/${randomUUID()}/payments`, { amount: '1.00', method: 'card', reference: 'r' }, 404, 'invoice-not-found');
    });
  });

  describe('refusals', () => {
    it('403 without the module permission, 401 without a session or when the access is disabled', async () => {
      const quoteId = (await ok('POST', '/v1/quotes', quoteBody(companyA), 201)).body.id as string;
      await refused('GET', '/v1/portal/quotes', undefined, 403, 'forbidden', as(sam.session));
      await refused('GET', `/v1/portal/quotes/${quoteId}`, undefined, 403, 'forbidden', as(sam.session));
      await refused('GET', '/v1/portal/invoices', undefined, 403, 'forbidden', as(sam.session));
      await refused('GET', '/v1/portal/quotes', undefined, 401, 'unauthorized', anonymous);
      // Portal sessions do not open staff routes, nor API keys portal routes.
      await refused('POST', '/v1/quotes', quoteBody(companyA), 401, 'unauthorized', as(ana.session));
      await refused('GET', '/v1/portal/quotes', undefined, 401, 'unauthorized');

      const user = await portalUser(companyA, types.approver);
      expect((await read('/v1/portal/quotes?limit=1', as(user.session))).status).toBe(200);
      await ok('POST', `/v1/contacts/${user.contactId}/portal-access/disable`, {});
      await refused('GET', '/v1/portal/quotes', undefined, 401, 'unauthorized', as(user.session));
      await refused('POST', `/v1/portal/quotes/${quoteId}/accept`, undefined, 401, 'unauthorized', as(user.session));
    });

    it('a document addressed to one contact: seen by the whole company, or by that contact only when the organization says own', async () => {
      const id = (await ok('POST', '/v1/quotes', quoteBody(companyA, { contactId: vic.contactId }), 201)).body.id as string;
      expect((await read(`/v1/portal/quotes/${id}`, as(ana.session))).status).toBe(200);
      await ok('PATCH', '/v1/organization/settings', { portalDocumentVisibility: 'own' });
      try {
        expect((await read(`/v1/portal/quotes/${id}`, as(ana.session))).status).toBe(404);
        expect((await read('/v1/portal/quotes?limit=200', as(ana.session))).body.items.map((q: { id: string }) => q.id)).not.toContain(id);
        await refused('POST', `/v1/portal/quotes/${id}/accept`, undefined, 404, 'quote-not-found', as(ana.session));
        expect((await read(`/v1/portal/quotes/${id}`, as(vic.session))).status).toBe(200);
        expect((await read('/v1/portal/quotes?limit=200', as(vic.session))).body.items.map((q: { id: string }) => q.id)).toContain(id);
      } finally {
        await ok('PATCH', '/v1/organization/settings', { portalDocumentVisibility: 'company' });
      }
    });
  });
});
