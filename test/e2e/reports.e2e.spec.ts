import { randomUUID } from 'node:crypto';
import { isoWeekOf, LocalCalendar } from '@app/projections';
import { removeDataDir, Response, startApp, TestApp, tokenIn } from '../support/app';

/**
 * Reports over real HTTP: a São Paulo organization invites contacts, shares documents that a
 * portal user decides, opens and pays; its reporter reads every report as JSON and as CSV; an
 * agent and an auditor are refused; another organization sees nothing of it.
 */
describe('reports (e2e)', () => {
  let api: TestApp;
  const keys: Record<string, string> = {};
  let portalId: string;
  let companyA: string;
  let companyB: string;
  let ana: { contactId: string; session: string };
  let head = 0;

  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const staff = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const response = await api.request(method, path, body, as(keys.admin));
    expect(response.status).toBeLessThan(300);
    head = Math.max(head, response.body?.position ?? 0);
    return response;
  };
  const report = (name: string, key = keys.reporter, query = '', headers: Record<string, string> = {}) =>
    api.request('GET', `/v1/reports/${name}?minPosition=${head}${query}`, undefined, { ...as(key), ...headers });
  const thisWeek = () => isoWeekOf(new LocalCalendar('America/Sao_Paulo').dateOf(Date.now()));

  async function contact(clientId: string) {
    const email = `${randomUUID()}@client.example`;
    const person = await staff('POST', `/v1/clients/${clientId}/contacts`, { name: 'Pat Souza', email });
    return { contactId: person.body.id as string, email };
  }

  beforeAll(async () => {
    api = await startApp({ INVITE_RESEND_COOLDOWN_SECONDS: '0' });
    const organization = await api.request('POST', '/v1/organizations', { name: 'Souza Serviços', timeZone: 'America/Sao_Paulo' });
    keys.admin = organization.body.adminKey;
    for (const role of ['agent', 'auditor', 'reporter']) keys[role] = (await staff('POST', '/v1/api-keys', { name: role, role })).body.key;
    keys.otherAdmin = api.apiKey; // the operator organization
    portalId = (await staff('GET', '/v1/portals?limit=200')).body.items.find((p: { isDefault: boolean }) => p.isDefault).id;
    const all = { view: true, create: true, edit: true, delete: false, approve: true };
    const userTypeId = (await staff('POST', `/v1/portals/${portalId}/user-types`, { name: 'Approver', modules: { timesheets: all, quotes: all, invoices: all, shifts: { view: true } } })).body.id;
    companyA = (await staff('POST', '/v1/clients', { name: 'Alfa Ltda' })).body.id;
    companyB = (await staff('POST', '/v1/clients', { name: 'Beta SA' })).body.id;

    // Ana accepts; Bob is invited and re-sent, still pending; Cy is invited, then revoked.
    const anaContact = await contact(companyA);
    await staff('POST', `/v1/contacts/${anaContact.contactId}/portal-access/invite`, { userTypeId });
    const token = tokenIn((await api.outbox()).filter((m) => m.content.includes(`To: ${anaContact.email}`)).at(-1)!.content);
    const password = 'a long and unusual passphrase';
    expect((await api.request('POST', '/v1/portal/invitations/accept', { token, password }, { authorization: '' })).status).toBe(200);
    const session = await api.request('POST', '/v1/portal/sessions', { email: anaContact.email, password }, { authorization: '' });
    ana = { contactId: anaContact.contactId, session: session.body.token };
    const bob = await contact(companyA);
    await staff('POST', `/v1/contacts/${bob.contactId}/portal-access/invite`);
    await staff('POST', `/v1/contacts/${bob.contactId}/portal-access/resend`);
    const cy = await contact(companyB);
    await staff('POST', `/v1/contacts/${cy.contactId}/portal-access/invite`);
    await staff('POST', `/v1/contacts/${cy.contactId}/portal-access/revoke`, {});

    // A timesheet and a quote Ana decides; an invoice she opens and pays in part.
    const today = new LocalCalendar('America/Sao_Paulo').dateOf(Date.now());
    const sheet = await staff('POST', '/v1/timesheets', { clientId: companyA, staffMember: { name: 'Jonas Weber' }, entries: [{ date: today, start: '08:00', end: '16:30', breakMinutes: 30 }] });
    const asAna = async (method: string, path: string, body?: unknown) => {
      const response = await api.request(method, method === 'GET' ? `${path}?minPosition=${head}` : path, body, as(ana.session));
      expect(response.status).toBeLessThan(300);
      head = Math.max(head, response.body?.position ?? 0);
      return response;
    };
    await asAna('POST', `/v1/portal/timesheets/${sheet.body.id}/approve`);
    const document = { clientId: companyA, issueDate: today, currency: 'BRL', lines: [{ description: 'Staff (hours)', quantity: '160', unitPrice: '45.50' }], tax: '728.00', link: 'https://erp.example/d/1' };
    const quote = await staff('POST', '/v1/quotes', { ...document, number: 'Q-1', validUntil: '2099-12-31' });
    await asAna('POST', `/v1/portal/quotes/${quote.body.id}/accept`);
    const invoice = await staff('POST', '/v1/invoices', { ...document, number: 'I-1', dueDate: '2099-12-31' });
    await asAna('GET', `/v1/portal/documents/${invoice.body.id}`);
    await asAna('POST', `/v1/portal/invoices/${invoice.body.id}/payments`, { amount: '100.25', method: 'bank-transfer', reference: 'TRX-1' });

    // The operator organization has data of its own.
    const theirs = await api.request('POST', '/v1/clients', { name: 'Operator client' });
    const theirContact = await api.request('POST', `/v1/clients/${theirs.body.id}/contacts`, { name: 'Op', email: `${randomUUID()}@op.example` });
    const invited = await api.request('POST', `/v1/contacts/${theirContact.body.id}/portal-access/invite`);
    head = Math.max(head, invited.body.position);
  });

  afterAll(async () => {
    await api?.close();
    removeDataDir(api.dataDir);
  });

  it('portal access: counts by status per portal and company', async () => {
    const answer = await report('portal-access');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      items: [
        { portalId, clientId: companyA, invited: 1, active: 1, disabled: 0, revoked: 0, total: 2 },
        { portalId, clientId: companyB, invited: 0, active: 0, disabled: 0, revoked: 1, total: 1 },
      ].sort((a, b) => (a.clientId < b.clientId ? -1 : 1)),
      totals: { invited: 1, active: 1, disabled: 0, revoked: 1, total: 3 },
    });
    expect((await report('portal-access', keys.reporter, `&clientId=${companyB}`)).body.totals).toMatchObject({ revoked: 1, total: 1 });
  });

  it('invitations: this week’s funnel in the organization’s time zone', async () => {
    const answer = await report('invitations');
    expect(answer.body.items).toEqual([
      {
        ...thisWeek(),
        portalId,
        invited: 3,
        accepted: 1,
        pending: 1,
        expired: 0,
        withdrawn: 1,
        resends: 1,
        timeToAcceptMedianSeconds: expect.any(Number),
        timeToAcceptP90Seconds: expect.any(Number),
      },
    ]);
    expect(answer.body.totals).toMatchObject({ invited: 3, accepted: 1, pending: 1, withdrawn: 1, resends: 1 });
  });

  it('approvals, documents and invoices: what the client decided, opened and paid', async () => {
    const approvals = await report('approvals');
    expect(approvals.body.items).toEqual([
      expect.objectContaining({ ...thisWeek(), clientId: companyA, kind: 'quote', submitted: 1, approved: 1, pending: 0 }),
      expect.objectContaining({ ...thisWeek(), clientId: companyA, kind: 'timesheet', submitted: 1, approved: 1, minutesApproved: 480, hoursApproved: '8.00' }),
    ]);
    const documents = await report('documents');
    expect(documents.body.items).toEqual([
      expect.objectContaining({ clientId: companyA, kind: 'invoice', shared: 1, viewed: 1, views: 1 }),
      expect.objectContaining({ clientId: companyA, kind: 'quote', shared: 1 }),
      expect.objectContaining({ clientId: companyA, kind: 'timesheet', shared: 1 }),
    ]);
    const invoices = await report('invoices');
    expect(invoices.body).toEqual({
      items: [{ clientId: companyA, currency: 'BRL', issued: 1, paid: 0, partlyPaid: 1, unpaid: 0, overdue: 0, issuedAmount: '8008.00', paidAmount: '100.25', outstandingAmount: '7907.75', overdueAmount: '0.00' }],
      totals: { issued: 1, paid: 0, partlyPaid: 1, unpaid: 0, overdue: 0, amounts: [{ currency: 'BRL', issuedAmount: '8008.00', paidAmount: '100.25', outstandingAmount: '7907.75', overdueAmount: '0.00' }] },
    });
    // A portal's reports about documents: the companies of its accesses.
    expect((await report('invoices', keys.reporter, `&portalId=${portalId}`)).body.totals.issued).toBe(1);
    expect((await report('invoices', keys.reporter, `&portalId=${randomUUID()}`)).body.items).toEqual([]);
  });

  it.each(['portal-access', 'invitations', 'approvals', 'documents', 'invoices'])('%s answers CSV (RFC 4180, a header row) for Accept: text/csv or format=csv', async (name) => {
    const json = await report(name);
    for (const csv of [await report(name, keys.reporter, '', { accept: 'text/csv' }), await report(name, keys.reporter, '&format=csv')]) {
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
      expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="${name}-report.csv"`);
      const text = csv.body as string;
      expect(text.endsWith('\r\n')).toBe(true);
      const [header, ...rows] = text.slice(0, -2).split('\r\n');
      const columns = header.split(',');
      expect(columns).toEqual(Object.keys(json.body.items[0]));
      expect(rows.map((row) => row.split(','))).toEqual(json.body.items.map((item: Record<string, unknown>) => columns.map((c) => (item[c] === null ? '' : String(item[c])))));
    }
    expect((await report(name, keys.reporter, '&format=json', { accept: 'text/csv' })).headers.get('content-type')).toContain('application/json');
  });

  it.each(['portal-access', 'invitations', 'approvals', 'documents', 'invoices'])('%s: reporter and admin 200, agent and auditor 403, no key 401, another organization nothing of ours', async (name) => {
    expect((await report(name, keys.admin)).status).toBe(200);
    expect((await report(name, keys.agent)).status).toBe(403);
    expect((await report(name, keys.auditor)).status).toBe(403);
    expect((await api.request('GET', `/v1/reports/${name}`, undefined, { authorization: '' })).status).toBe(401);
    const theirs = await report(name, keys.otherAdmin);
    expect(theirs.status).toBe(200);
    for (const id of [companyA, companyB, portalId]) expect(JSON.stringify(theirs.body)).not.toContain(id);
  });

  it('refuses bad filters with a problem, and reads nothing', async () => {
    const problem = async (query: string, type: string) => {
      const answer = await report('invitations', keys.reporter, query);
      expect({ status: answer.status, type: answer.body.type }).toEqual({ status: 422, type: `/problems/${type}` });
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    };
    await problem('&from=2026-02-30', 'invalid-date');
    await problem('&from=2026-3-01', 'validation-failed');
    await problem('&from=2026-03-10&to=2026-03-09', 'invalid-date-range');
    await problem('&portalId=not-a-uuid', 'validation-failed');
    await problem('&format=xml', 'validation-failed');
    await problem('&groupBy=week', 'validation-failed');
    // A one-day range is fine.
    expect((await report('invitations', keys.reporter, '&from=2026-03-10&to=2026-03-10')).body).toEqual({
      items: [],
      totals: { invited: 0, accepted: 0, pending: 0, expired: 0, withdrawn: 0, resends: 0, timeToAcceptMedianSeconds: null, timeToAcceptP90Seconds: null },
    });
  });
});
