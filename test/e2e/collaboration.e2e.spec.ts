import { randomUUID } from 'node:crypto';
import { removeDataDir, Response, startApp, TestApp } from '../support/app';
import { signedInPortalUser } from '../support/portal-user';

/**
 * The portal user's whole day, end to end: staff publish a shift and share a quote with
 * company A; portal users of A sign in, list shifts, create a timesheet for a staff member,
 * another contact approves it, one comments on the quote and opens it; staff see the
 * notifications (and their email), the viewed marker and the documents not yet viewed. And
 * every refusal: another company's document 404, no permission 403, disabled access 401, bad
 * input 422 writing nothing.
 */
describe('client collaboration (e2e)', () => {
  let api: TestApp;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const anonymous = { authorization: '' };
  const head = async () => (await api.request('GET', '/health')).body.headPosition as number;
  const ok = <T extends Response>(response: T, status = 200): T => {
    expect({ status: response.status, body: response.body }).toMatchObject({ status });
    return response;
  };

  let portalId: string;
  const userTypes: Record<string, string> = {};
  let clientA: string;
  let clientB: string;
  const users: Record<string, { contactId: string; email: string; session: string }> = {};

  async function userType(name: string, modules: Record<string, Record<string, boolean>>): Promise<string> {
    return ok(await api.request('POST', `/v1/portals/${portalId}/user-types`, { name, modules }), 201).body.id;
  }

  async function portalUser(clientId: string, userTypeId: string | undefined): Promise<{ contactId: string; email: string; session: string }> {
    const { contactId, email, session } = await signedInPortalUser(api, clientId, { name: 'Pat', userTypeId });
    return { contactId, email, session };
  }

  beforeAll(async () => {
    api = await startApp();
    portalId = ok(await api.request('GET', '/v1/portals?limit=200')).body.items.find((p: { isDefault: boolean }) => p.isDefault).id;
    userTypes.creator = await userType('Site manager', {
      shifts: { view: true },
      timesheets: { view: true, create: true },
      quotes: { view: true },
      invoices: { view: true },
    });
    userTypes.approver = await userType('Approver', { shifts: { view: true }, timesheets: { view: true, approve: true }, quotes: { view: true, approve: true } });
    userTypes.shiftsOnly = await userType('Shifts only', { shifts: { view: true } });
    clientA = ok(await api.request('POST', '/v1/clients', { name: 'Company A' }), 201).body.id;
    clientB = ok(await api.request('POST', '/v1/clients', { name: 'Company B' }), 201).body.id;
    users.creator = await portalUser(clientA, userTypes.creator);
    users.approver = await portalUser(clientA, userTypes.approver);
    users.shiftsOnly = await portalUser(clientA, userTypes.shiftsOnly);
    users.other = await portalUser(clientB, userTypes.approver);
    ok(await api.request('PATCH', '/v1/organization/settings', { notificationEmail: 'office@agency.example' }));
  });

  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  let shiftId: string;
  let quoteId: string;
  let timesheetId: string;

  it('runs the portal user’s whole day, and staff see notifications, emails and viewed markers', async () => {
    // Staff publish a shift and share a quote with company A.
    shiftId = ok(
      await api.request('POST', '/v1/shifts', {
        clientId: clientA,
        staffMember: { name: 'Jo Temp' },
        start: '2026-03-02T08:00:00+00:00',
        end: '2026-03-02T16:00:00+00:00',
        location: 'Dock 4',
        role: 'Forklift driver',
      }),
      201,
    ).body.id;
    const validUntil = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
    const shared = ok(
      await api.request('POST', '/v1/quotes', {
        clientId: clientA,
        number: 'Q-2026-0042',
        issueDate: new Date().toISOString().slice(0, 10),
        validUntil,
        currency: 'EUR',
        lines: [{ description: 'Warehouse staff', quantity: '160', unitPrice: '45.50' }],
        link: 'https://erp.example/documents/Q-2026-0042',
      }),
      201,
    );
    quoteId = shared.body.id;

    // A portal user of A signs in (done in beforeAll), sees the shift, and creates a timesheet.
    const shifts = ok(await api.request('GET', `/v1/portal/shifts?minPosition=${shared.body.position}`, undefined, as(users.creator.session)));
    expect(shifts.body.items.map((s: { id: string }) => s.id)).toContain(shiftId);
    const created = ok(
      await api.request(
        'POST',
        '/v1/portal/timesheets',
        { staffMember: { name: 'Jo Temp' }, entries: [{ date: '2026-03-02', start: '08:00', end: '16:00', breakMinutes: 30 }] },
        as(users.creator.session),
      ),
      201,
    );
    timesheetId = created.body.id;
    // The creator may not approve (403); another contact with the approve right does.
    ok(await api.request('POST', `/v1/portal/timesheets/${timesheetId}/approve`, {}, as(users.creator.session)), 403);
    const approved = ok(await api.request('POST', `/v1/portal/timesheets/${timesheetId}/approve`, {}, as(users.approver.session)));

    // The creator comments on the quote and opens it.
    const comment = ok(await api.request('POST', `/v1/portal/documents/${quoteId}/comments`, { text: 'Could we start on Monday?' }, as(users.creator.session)), 201);
    const opened = ok(await api.request('GET', `/v1/portal/documents/${quoteId}?minPosition=${comment.body.position}`, undefined, as(users.creator.session)));
    expect(opened.body).toMatchObject({ id: quoteId, kind: 'quote', clientId: clientA, number: 'Q-2026-0042' });
    ok(await api.request('GET', `/v1/portal/documents/${quoteId}`, undefined, as(users.approver.session)));

    // Staff answer the comment; both are listed oldest first, to staff and in the portal.
    const reply = ok(await api.request('POST', `/v1/documents/${quoteId}/comments`, { text: 'Monday works.' }), 201);
    const staffList = ok(await api.request('GET', `/v1/documents/${quoteId}/comments?minPosition=${reply.body.position}`));
    expect(staffList.body.items.map((c: { text: string }) => c.text)).toEqual(['Could we start on Monday?', 'Monday works.']);
    expect(staffList.body.items[0].author).toEqual({ kind: 'portal-user', id: expect.any(String), contactId: users.creator.contactId });
    const portalList = ok(await api.request('GET', `/v1/portal/documents/${quoteId}/comments`, undefined, as(users.approver.session)));
    expect(portalList.body.items.map((c: { author: { kind: string; id: string | null } }) => c.author)).toEqual([
      expect.objectContaining({ kind: 'portal-user' }),
      { kind: 'staff', id: null, contactId: null },
    ]);
    const paged = ok(await api.request('GET', `/v1/documents/${quoteId}/comments?limit=1`));
    expect(paged.body.items).toHaveLength(1);
    const second = ok(await api.request('GET', `/v1/documents/${quoteId}/comments?limit=1&cursor=${paged.body.nextCursor}`));
    expect(second.body.items[0].text).toBe('Monday works.');

    // Staff see the client's actions in the feed, newest first (their own comment is not one).
    const position = Math.max(approved.body.position, reply.body.position);
    const feed = ok(await api.request('GET', `/v1/notifications?status=unread&minPosition=${position}`));
    const types = feed.body.items.map((n: { type: string }) => n.type);
    expect(types).toEqual(['CommentAdded', 'TimesheetApproved', 'TimesheetSubmitted']);
    expect(feed.body.items[1]).toMatchObject({ documentId: timesheetId, kind: 'timesheet', clientId: clientA, actor: { kind: 'portal-user' }, read: false });
    expect(feed.body.items[0]).toMatchObject({ documentId: quoteId, kind: 'quote', details: { text: 'Could we start on Monday?' } });

    // Marking one read is an event; the feed follows it.
    const read = ok(await api.request('POST', `/v1/notifications/${feed.body.items[2].id}/read`));
    const again = ok(await api.request('POST', `/v1/notifications/${feed.body.items[2].id}/read`));
    expect(again.body.position).toBe(read.body.position);
    const unread = ok(await api.request('GET', `/v1/notifications?status=unread&minPosition=${read.body.position}`));
    expect(unread.body.items.map((n: { type: string }) => n.type)).toEqual(['CommentAdded', 'TimesheetApproved']);
    const readOnes = ok(await api.request('GET', '/v1/notifications?status=read'));
    expect(readOnes.body.items).toEqual([expect.objectContaining({ type: 'TimesheetSubmitted', read: true, readAt: expect.any(String) })]);

    // An email per notification, to the organization's address, from the background reactor.
    const emails = await waitFor(async () => {
      const found = (await api.outbox()).filter((m) => m.content.includes('To: office@agency.example'));
      return found.length >= 3 ? found : null;
    });
    expect(emails.map((m) => /Subject: (.*)/.exec(m.content)?.[1]).sort()).toEqual(
      expect.arrayContaining([expect.stringContaining('Pat approved a timesheet'), expect.stringContaining('Pat commented')]),
    );
    // They name things, never by id: the company, the contact, the document; the time in the organization's zone.
    const approval = emails.find((m) => m.content.includes('approved a timesheet'))!.content;
    const body = approval.slice(approval.indexOf('\r\n\r\n'));
    expect(body).toContain('Company: Company A');
    expect(body).toContain('Contact: Pat');
    expect(body).toMatch(/Document: Timesheet/);
    expect(body).toMatch(/When: \d{1,2} \w+ \d{4} at \d{2}:\d{2} \(UTC\)/);
    expect(body).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);

    // Staff see the viewed marker, and which of A's documents nobody opened yet.
    const document = ok(await api.request('GET', `/v1/documents/${quoteId}?minPosition=${position}`));
    expect(document.body).toMatchObject({
      id: quoteId,
      kind: 'quote',
      viewed: {
        firstViewedBy: { contactId: users.creator.contactId },
        lastViewedBy: { contactId: users.approver.contactId },
        viewCount: 2,
      },
    });
    expect(ok(await api.request('GET', `/v1/documents/${shiftId}`)).body.viewed).toBeNull();
    const notViewed = ok(await api.request('GET', `/v1/clients/${clientA}/documents?viewed=false`));
    const notViewedIds = notViewed.body.items.map((d: { id: string }) => d.id);
    expect(notViewedIds).toEqual(expect.arrayContaining([shiftId, timesheetId]));
    expect(notViewedIds).not.toContain(quoteId);
    const viewedQuotes = ok(await api.request('GET', `/v1/clients/${clientA}/documents?viewed=true&kind=quote`));
    expect(viewedQuotes.body.items.map((d: { id: string }) => d.id)).toEqual([quoteId]);
    const everything = ok(await api.request('GET', `/v1/clients/${clientA}/documents?limit=1`));
    expect(everything.body.items).toHaveLength(1);
    expect(everything.body.nextCursor).toEqual(expect.any(String));
  });

  it('refuses: another company’s document 404, no permission 403, shifts take no comments, disabled access 401', async () => {
    const before = await head();
    // Another company's portal user: as if the document did not exist, and nothing recorded.
    ok(await api.request('GET', `/v1/portal/documents/${quoteId}`, undefined, as(users.other.session)), 404);
    ok(await api.request('POST', `/v1/portal/documents/${quoteId}/comments`, { text: 'hello' }, as(users.other.session)), 404);
    ok(await api.request('GET', `/v1/portal/documents/${quoteId}/comments`, undefined, as(users.other.session)), 404);
    ok(await api.request('GET', `/v1/portal/documents/${randomUUID()}`, undefined, as(users.creator.session)), 404);
    // A user type without quotes: 403 on the quote, yet it may open a shift.
    ok(await api.request('GET', `/v1/portal/documents/${quoteId}`, undefined, as(users.shiftsOnly.session)), 403);
    ok(await api.request('POST', `/v1/portal/documents/${quoteId}/comments`, { text: 'hello' }, as(users.shiftsOnly.session)), 403);
    // Shifts are read-only: no comments.
    ok(await api.request('POST', `/v1/portal/documents/${shiftId}/comments`, { text: 'hello' }, as(users.creator.session)), 422);
    ok(await api.request('POST', `/v1/documents/${shiftId}/comments`, { text: 'hello' }), 422);
    // Bad input writes nothing.
    for (const bad of [{}, { text: '   ' }, { text: 42 }, { text: 'x'.repeat(5001) }, { text: 'ok', extra: true }]) {
      const refused = await api.request('POST', `/v1/portal/documents/${quoteId}/comments`, bad, as(users.creator.session));
      expect({ bad, status: refused.status }).toEqual({ bad, status: 422 });
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }
    ok(await api.request('GET', '/v1/notifications?status=maybe'), 422);
    ok(await api.request('GET', `/v1/clients/${clientA}/documents?viewed=perhaps`), 422);
    ok(await api.request('POST', `/v1/notifications/${randomUUID()}/read`), 404);
    expect(await head()).toBe(before);

    ok(await api.request('POST', `/v1/portal/documents/${shiftId}/comments`, { text: 'hello' }, anonymous), 401);
    ok(await api.request('GET', `/v1/portal/documents/${shiftId}`, undefined, as(users.shiftsOnly.session)));
    ok(await api.request('POST', `/v1/contacts/${users.shiftsOnly.contactId}/portal-access/disable`, { reason: 'left' }));
    ok(await api.request('GET', `/v1/portal/documents/${shiftId}`, undefined, as(users.shiftsOnly.session)), 401);
  });

  it('keeps other organizations out: their staff get 404 and see no notifications of ours', async () => {
    const other = ok(await api.request('POST', '/v1/organizations', { name: 'Other Org' }), 201).body;
    ok(await api.request('GET', `/v1/documents/${quoteId}`, undefined, as(other.adminKey)), 404);
    ok(await api.request('GET', `/v1/documents/${quoteId}/comments`, undefined, as(other.adminKey)), 404);
    ok(await api.request('POST', `/v1/documents/${quoteId}/comments`, { text: 'hi' }, as(other.adminKey)), 404);
    ok(await api.request('GET', `/v1/clients/${clientA}/documents`, undefined, as(other.adminKey)), 404);
    expect(ok(await api.request('GET', '/v1/notifications', undefined, as(other.adminKey))).body.items).toEqual([]);
    const ours = ok(await api.request('GET', '/v1/notifications')).body.items[0].id;
    ok(await api.request('POST', `/v1/notifications/${ours}/read`, undefined, as(other.adminKey)), 404);
  });
});

async function waitFor<T>(probe: () => T | null | Promise<T | null>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found) return found;
    if (Date.now() > deadline) throw new Error('not there within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
