import { randomUUID } from 'node:crypto';
import { removeDataDir, Response, startApp, TestApp } from '../support/app';
import { signedInPortalUser } from '../support/portal-user';
import { expectProblem } from '../support/problems';

/**
 * Shifts and timesheets end to end: staff publish shifts to a client company; its
 * portal users see them, create timesheets on behalf of temporary staff, and another contact
 * approves or rejects them; every refusal writes nothing. The organization is in Berlin, so
 * hours are computed across the clock changes of Europe/Berlin.
 */
describe('shifts and timesheets (e2e)', () => {
  let api: TestApp;
  let key: string; // the Berlin organization's admin key
  let portalId: string;
  const types: Record<string, string> = {};
  let companyA: string;
  let companyB: string;
  let clerkA: PortalUser;
  let approverA: PortalUser;
  let viewerA: PortalUser;
  let clerkB: PortalUser;
  let approverB: PortalUser;

  interface PortalUser {
    contactId: string;
    email: string;
    session: string;
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const staff = (method: string, path: string, body?: unknown): Promise<Response> => api.request(method, path, body, bearer(key));
  const portal = (user: PortalUser, method: string, path: string, body?: unknown): Promise<Response> => api.request(method, path, body, bearer(user.session));
  const head = async () => (await api.request('GET', '/health')).body.headPosition as number;

  async function company(name: string): Promise<string> {
    const created = await staff('POST', '/v1/clients', { name });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function portalUser(clientId: string, userType: string | null): Promise<PortalUser> {
    const email = `${randomUUID()}@client.example`;
    const { contactId, session } = await signedInPortalUser(api, clientId, { name: `Person ${email.slice(0, 6)}`, email, userTypeId: userType ? types[userType] : undefined, apiKey: key });
    return { contactId, email, session };
  }

  const refused = (response: Promise<Response>, status: number, type?: string) => expectProblem(api, () => response, { status, type });

  const shiftBody = (clientId: string, extra: Record<string, unknown> = {}) => ({
    clientId,
    staffMember: { name: 'Jonas Weber', id: 'W-1042' },
    start: '2026-03-30T08:00:00+02:00',
    end: '2026-03-30T16:30:00+02:00',
    location: 'Lager Nord, Berlin',
    role: 'Forklift driver',
    ...extra,
  });
  const entries = [
    { date: '2026-03-27', start: '08:00', end: '17:00', breakMinutes: 60, note: 'loading bay' },
    // The night the clocks go forward: 01:00-04:00 is 2 hours worked.
    { date: '2026-03-29', start: '01:00', end: '04:00' },
  ];

  beforeAll(async () => {
    api = await startApp({ INVITE_RESEND_COOLDOWN_SECONDS: '0' });
    const organization = await api.request('POST', '/v1/organizations', { name: 'Berlin Staffing GmbH', timeZone: 'Europe/Berlin' });
    expect(organization.status).toBe(201);
    key = organization.body.adminKey;
    const portals = await staff('GET', '/v1/portals?limit=200');
    portalId = portals.body.items.find((p: { isDefault: boolean }) => p.isDefault).id;
    const none = { view: false, create: false, edit: false, delete: false, approve: false };
    const define = async (name: string, modules: Record<string, unknown>) => {
      const created = await staff('POST', `/v1/portals/${portalId}/user-types`, { name, modules: { ...modules, quotes: none } });
      expect(created.status).toBe(201);
      types[name] = created.body.id;
    };
    await define('clerk', { shifts: { ...none, view: true }, timesheets: { ...none, view: true, create: true, edit: true } });
    await define('approver', { shifts: { ...none, view: true }, timesheets: { ...none, view: true, approve: true } });
    companyA = await company('Logistik A');
    companyB = await company('Bau B');
    clerkA = await portalUser(companyA, 'clerk');
    approverA = await portalUser(companyA, 'approver');
    viewerA = await portalUser(companyA, null);
    clerkB = await portalUser(companyB, 'clerk');
    approverB = await portalUser(companyB, 'approver');
  });

  afterAll(async () => {
    await api?.close();
    removeDataDir(api.dataDir);
  });

  it('a portal user’s day: sees its company’s shifts, creates a timesheet for a staff member, another contact approves it', async () => {
    const published = await staff('POST', '/v1/shifts', shiftBody(companyA));
    expect(published.status).toBe(201);
    expect(published.body).toEqual({ id: expect.any(String), position: expect.any(Number) });
    const second = await staff('POST', '/v1/shifts', shiftBody(companyA, { start: '2026-03-31T22:00:00+02:00', end: '2026-04-01T06:00:00+02:00', role: null }));
    const updated = await staff('PATCH', `/v1/shifts/${second.body.id}`, { location: 'Lager Süd', staffMember: { name: 'Mia Braun' } });
    expect(updated.status).toBe(200);
    const cancelled = await staff('POST', `/v1/shifts/${published.body.id}/cancel`, { reason: 'Site closed' });
    expect(cancelled.status).toBe(200);
    const other = await staff('POST', '/v1/shifts', shiftBody(companyB));

    const shifts = await portal(clerkA, 'GET', `/v1/portal/shifts?minPosition=${other.body.position}`);
    expect(shifts.status).toBe(200);
    const byId = Object.fromEntries(shifts.body.items.map((s: any) => [s.id, s]));
    expect(Object.keys(byId).sort()).toEqual([published.body.id, second.body.id].sort());
    expect(byId[published.body.id]).toMatchObject({ status: 'cancelled', cancellationReason: 'Site closed', startsAt: '2026-03-30T06:00:00.000Z', role: 'Forklift driver' });
    expect(byId[second.body.id]).toMatchObject({
      status: 'published',
      staffMember: { id: null, name: 'Mia Braun' },
      location: 'Lager Süd',
      start: '2026-03-31T22:00:00+02:00',
      clientId: companyA,
    });
    const published2 = await portal(clerkA, 'GET', `/v1/portal/shifts?status=published`);
    expect(published2.body.items.map((s: any) => s.id)).toEqual([second.body.id]);
    expect((await portal(clerkA, 'GET', `/v1/portal/shifts/${second.body.id}`)).body).toEqual(byId[second.body.id]);
    // Every portal user without a type views every module.
    expect((await portal(viewerA, 'GET', `/v1/portal/shifts/${second.body.id}`)).status).toBe(200);

    const created = await portal(clerkA, 'POST', '/v1/portal/timesheets', { staffMember: { name: 'Jonas Weber', id: 'W-1042' }, entries, note: 'week 13' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const opened = await portal(approverA, 'GET', `/v1/portal/timesheets/${id}?minPosition=${created.body.position}`);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({
      id,
      clientId: companyA,
      contactId: clerkA.contactId,
      status: 'submitted',
      pending: true,
      staffMember: { id: 'W-1042', name: 'Jonas Weber' },
      timeZone: 'Europe/Berlin',
      totalMinutes: 600,
      totalHours: 10,
      note: 'week 13',
      version: 1,
      rejectionReason: null,
    });
    expect(opened.body.entries).toEqual([
      { date: '2026-03-27', start: '08:00', end: '17:00', breakMinutes: 60, note: 'loading bay', minutes: 480, startsAt: '2026-03-27T07:00:00.000Z', endsAt: '2026-03-27T16:00:00.000Z' },
      { date: '2026-03-29', start: '01:00', end: '04:00', breakMinutes: 0, note: null, minutes: 120, startsAt: '2026-03-29T00:00:00.000Z', endsAt: '2026-03-29T02:00:00.000Z' },
    ]);
    const pending = await portal(approverA, 'GET', '/v1/portal/timesheets?status=submitted');
    expect(pending.body.items.map((t: any) => t.id)).toContain(id);

    // The clerk may create but not approve; the approver approves, once.
    await refused(portal(clerkA, 'POST', `/v1/portal/timesheets/${id}/approve`), 403, 'forbidden');
    const approved = await portal(approverA, 'POST', `/v1/portal/timesheets/${id}/approve`);
    expect(approved.status).toBe(200);
    await refused(portal(approverA, 'POST', `/v1/portal/timesheets/${id}/approve`), 409, 'timesheet-final');
    await refused(portal(approverA, 'POST', `/v1/portal/timesheets/${id}/reject`, { reason: 'too late' }), 409, 'timesheet-final');
    await refused(portal(clerkA, 'POST', `/v1/portal/timesheets/${id}/resubmit`, { entries }), 409, 'timesheet-final');
    await refused(staff('POST', `/v1/timesheets/${id}/approve`), 409, 'timesheet-final');

    // Staff see it approved, and who did what on whose behalf.
    const list = await staff('GET', `/v1/timesheets?clientId=${companyA}&status=approved&minPosition=${approved.body.position}`);
    expect(list.body.items.map((t: any) => t.id)).toEqual([id]);
    expect((await staff('GET', `/v1/timesheets/${id}`)).body).toMatchObject({ status: 'approved', pending: false });
    const audit = await staff('GET', `/v1/audit?subjectId=${id}&minPosition=${approved.body.position}`);
    const types = audit.body.items.map((i: any) => i.type);
    expect(types).toEqual(expect.arrayContaining(['TimesheetSubmitted', 'TimesheetApproved']));
    const submittedEvent = audit.body.items.find((i: any) => i.type === 'TimesheetSubmitted');
    expect(submittedEvent).toMatchObject({ channel: 'portal', actor: { kind: 'portal-user' }, onBehalfOf: { kind: 'staff-member', id: 'W-1042' } });

    // Opening it in the portal marks it viewed; staff see the marker and the notification of the approval.
    const openedDocument = await portal(clerkA, 'GET', `/v1/portal/documents/${id}`);
    expect(openedDocument.body).toMatchObject({ id, kind: 'timesheet', status: 'approved' });
    const document = await staff('GET', `/v1/documents/${id}?minPosition=${openedDocument.body.position}`);
    expect(document.body).toMatchObject({ kind: 'timesheet', viewed: { viewCount: 1, firstViewedBy: { contactId: clerkA.contactId } } });
    const feed = await staff('GET', `/v1/notifications?limit=200&minPosition=${approved.body.position}`);
    expect(feed.body.items.filter((n: any) => n.documentId === id).map((n: any) => n.type)).toEqual(expect.arrayContaining(['TimesheetSubmitted', 'TimesheetApproved']));
  });

  it('a rejected timesheet is corrected and resubmitted, then approved; staff submit one for the whole company', async () => {
    const created = await portal(clerkA, 'POST', '/v1/portal/timesheets', { staffMember: { name: 'Lena Fischer' }, entries: [entries[0]] });
    const id = created.body.id;
    await refused(portal(approverA, 'POST', `/v1/portal/timesheets/${id}/reject`, {}), 422, 'validation-failed');
    await refused(portal(approverA, 'POST', `/v1/portal/timesheets/${id}/reject`, { reason: '   ' }), 422, 'reason-required');
    await refused(portal(clerkA, 'POST', `/v1/portal/timesheets/${id}/resubmit`, { entries }), 409, 'timesheet-not-rejected');
    const rejected = await portal(approverA, 'POST', `/v1/portal/timesheets/${id}/reject`, { reason: 'Sunday night is missing' });
    expect(rejected.status).toBe(200);
    const seen = await portal(clerkA, 'GET', `/v1/portal/timesheets/${id}?minPosition=${rejected.body.position}`);
    expect(seen.body).toMatchObject({ status: 'rejected', pending: false, rejectionReason: 'Sunday night is missing' });
    await refused(portal(approverA, 'POST', `/v1/portal/timesheets/${id}/approve`), 409, 'timesheet-rejected');

    const resubmitted = await portal(clerkA, 'POST', `/v1/portal/timesheets/${id}/resubmit`, { entries });
    expect(resubmitted.status).toBe(200);
    const again = await portal(approverA, 'GET', `/v1/portal/timesheets/${id}?minPosition=${resubmitted.body.position}`);
    expect(again.body).toMatchObject({ status: 'submitted', pending: true, rejectionReason: null, version: 2, totalMinutes: 600, staffMember: { name: 'Lena Fischer' } });
    expect((await portal(approverA, 'POST', `/v1/portal/timesheets/${id}/approve`)).status).toBe(200);

    // Staff submit for a company (no creating contact), and may decide as the organization.
    const bySstaff = await staff('POST', '/v1/timesheets', { clientId: companyA, staffMember: { name: 'Tom Berg' }, entries: [entries[0]] });
    expect(bySstaff.status).toBe(201);
    const staffView = await staff('GET', `/v1/timesheets/${bySstaff.body.id}?minPosition=${bySstaff.body.position}`);
    expect(staffView.body).toMatchObject({ contactId: null, status: 'submitted', totalMinutes: 480 });
    expect((await portal(approverA, 'GET', `/v1/portal/timesheets/${bySstaff.body.id}`)).status).toBe(200);
    const staffRejected = await staff('POST', `/v1/timesheets/${bySstaff.body.id}/reject`, { reason: 'Wrong company' });
    expect(staffRejected.status).toBe(200);
    expect((await staff('GET', `/v1/timesheets?status=rejected&minPosition=${staffRejected.body.position}`)).body.items.map((t: any) => t.id)).toContain(bySstaff.body.id);
  });

  it('refuses: another company’s documents are 404 like unknown ones, a missing permission 403, a disabled access 401', async () => {
    const shiftA = await staff('POST', '/v1/shifts', shiftBody(companyA));
    const sheetA = await portal(clerkA, 'POST', '/v1/portal/timesheets', { staffMember: { name: 'Jonas Weber' }, entries });
    await head();
    const unknownShift = await refused(portal(clerkB, 'GET', `/v1/portal/shifts/${randomUUID()}?minPosition=${sheetA.body.position}`), 404, 'shift-not-found');
    const otherShift = await refused(portal(clerkB, 'GET', `/v1/portal/shifts/${shiftA.body.id}`), 404, 'shift-not-found');
    expect(otherShift.body).toEqual(unknownShift.body);
    const unknownSheet = await refused(portal(clerkB, 'GET', `/v1/portal/timesheets/${randomUUID()}`), 404, 'timesheet-not-found');
    const otherSheet = await refused(portal(clerkB, 'GET', `/v1/portal/timesheets/${sheetA.body.id}`), 404, 'timesheet-not-found');
    expect(otherSheet.body).toEqual(unknownSheet.body);
    await refused(portal(approverB, 'POST', `/v1/portal/timesheets/${sheetA.body.id}/approve`), 404, 'timesheet-not-found');
    await refused(portal(approverB, 'POST', `/v1/portal/timesheets/${sheetA.body.id}/reject`, { reason: 'not ours' }), 404, 'timesheet-not-found');
    await refused(portal(approverB, 'POST', `/v1/portal/timesheets/${randomUUID()}/approve`), 404, 'timesheet-not-found');
    await refused(portal(clerkB, 'POST', `/v1/portal/timesheets/not-a-uuid/resubmit`, { entries }), 404);
    const listB = await portal(clerkB, 'GET', '/v1/portal/timesheets');
    expect(listB.body.items.map((t: any) => t.clientId).filter((c: string) => c !== companyB)).toEqual([]);
    expect((await portal(clerkB, 'GET', '/v1/portal/shifts')).body.items.map((s: any) => s.id)).not.toContain(shiftA.body.id);

    // Another organization's staff: 404, whatever the route.
    await refused(api.request('GET', `/v1/shifts/${shiftA.body.id}`), 404, 'shift-not-found');
    await refused(api.request('GET', `/v1/timesheets/${sheetA.body.id}`), 404, 'timesheet-not-found');
    await refused(api.request('PATCH', `/v1/shifts/${shiftA.body.id}`, { location: 'x' }), 404);
    await refused(api.request('POST', `/v1/timesheets/${sheetA.body.id}/approve`), 404, 'timesheet-not-found');
    await refused(api.request('POST', '/v1/shifts', shiftBody(companyA)), 404, 'client-not-found');
    expect((await api.request('GET', '/v1/shifts?limit=200')).body.items.map((s: any) => s.id)).not.toContain(shiftA.body.id);

    // No permission for the module's action: 403 from the guard, nothing written.
    await refused(portal(viewerA, 'POST', '/v1/portal/timesheets', { staffMember: { name: 'X' }, entries }), 403, 'forbidden');
    await refused(portal(viewerA, 'POST', `/v1/portal/timesheets/${sheetA.body.id}/approve`), 403, 'forbidden');
    await refused(portal(approverA, 'POST', `/v1/portal/timesheets/${sheetA.body.id}/resubmit`, { entries }), 403, 'forbidden');
    await refused(portal(approverA, 'POST', '/v1/portal/timesheets', { staffMember: { name: 'X' }, entries }), 403, 'forbidden');

    // A disabled access: 401 at once.
    const leaving = await portalUser(companyA, 'approver');
    expect((await portal(leaving, 'GET', '/v1/portal/shifts')).status).toBe(200);
    expect((await staff('POST', `/v1/contacts/${leaving.contactId}/portal-access/disable`, { reason: 'left' })).status).toBe(200);
    await refused(portal(leaving, 'GET', '/v1/portal/shifts'), 401, 'unauthorized');
    await refused(portal(leaving, 'POST', `/v1/portal/timesheets/${sheetA.body.id}/approve`), 401, 'unauthorized');
    expect((await portal(approverA, 'GET', `/v1/portal/timesheets/${sheetA.body.id}`)).body.status).toBe('submitted');
  });

  it('refuses bad entries with 422 and writes nothing: overlaps, a 25-hour day, overnight entries, skipped times, unknown fields', async () => {
    const create = (body: unknown) => portal(clerkA, 'POST', '/v1/portal/timesheets', body);
    const staffMember = { name: 'Jonas Weber' };
    const overlap = await refused(
      create({ staffMember, entries: [entries[0], { date: '2026-03-27', start: '16:00', end: '18:00' }] }),
      422,
      'overlapping-entries',
    );
    expect(overlap.body).toMatchObject({ field: 'entries[1].start', entries: [0, 1] });
    // Clocks go back in Berlin on 2026-10-25: that day has 25 hours.
    await refused(create({ staffMember, entries: [{ date: '2026-10-25', start: '00:00', end: '24:00' }] }), 422, 'day-over-24-hours');
    await refused(create({ staffMember, entries: [{ date: '2026-03-27', start: '22:00', end: '06:00' }] }), 422, 'entry-ends-before-start');
    await refused(create({ staffMember, entries: [{ date: '2026-03-29', start: '02:30', end: '06:00' }] }), 422, 'nonexistent-local-time');
    await refused(create({ staffMember, entries: [{ date: '2026-03-27', start: '08:00', end: '09:00', breakMinutes: 60 }] }), 422, 'negative-hours');
    await refused(create({ staffMember, entries: [{ date: '2026-02-30', start: '08:00', end: '09:00' }] }), 422, 'invalid-entry-date');
    await refused(create({ staffMember, entries: [] }), 422, 'validation-failed');
    // A company the user's contact does not belong to is not found, like an unknown one.
    await refused(create({ staffMember, entries, clientId: companyB }), 404, 'client-not-found');
    await refused(create({ staffMember, entries, clientId: 'not-a-uuid' }), 422, 'validation-failed');
    await refused(create({ staffMember: { name: '' }, entries }), 422, 'validation-failed');
    await refused(create({ staffMember, entries: [{ ...entries[0], breakMinutes: -1 }] }), 422, 'validation-failed');
    await refused(staff('POST', '/v1/timesheets', { staffMember, entries }), 422, 'validation-failed');
    await refused(staff('POST', '/v1/timesheets', { clientId: randomUUID(), staffMember, entries }), 404, 'client-not-found');

    // Shifts: an offset is required, the end follows the start, a cancelled shift is final.
    await refused(staff('POST', '/v1/shifts', shiftBody(companyA, { start: '2026-03-30T08:00:00' })), 422, 'invalid-date-time');
    await refused(staff('POST', '/v1/shifts', shiftBody(companyA, { end: '2026-03-30T07:00:00+02:00' })), 422, 'shift-end-before-start');
    await refused(staff('POST', '/v1/shifts', shiftBody(companyA, { colour: 'red' })), 422, 'validation-failed');
    const shiftA = await staff('POST', '/v1/shifts', shiftBody(companyA));
    await refused(staff('PATCH', `/v1/shifts/${shiftA.body.id}`, { end: '2026-03-30T07:00:00+02:00' }), 422, 'shift-end-before-start');
    expect((await staff('POST', `/v1/shifts/${shiftA.body.id}/cancel`, {})).status).toBe(200);
    await refused(staff('PATCH', `/v1/shifts/${shiftA.body.id}`, { location: 'Elsewhere' }), 409, 'shift-cancelled');
    // Cancelling again changes nothing.
    const before = await head();
    expect((await staff('POST', `/v1/shifts/${shiftA.body.id}/cancel`, {})).status).toBe(200);
    expect(await head()).toBe(before);
    // An archived company gets no more shifts.
    const archived = await company('Closing C');
    expect((await staff('DELETE', `/v1/clients/${archived}`)).status).toBe(200);
    await refused(staff('POST', '/v1/shifts', shiftBody(archived)), 409, 'client-archived');
  });

  it('where the organization shows each user only its own documents, a contact sees its own and the company’s, not a colleague’s', async () => {
    const clerksSheet = await portal(clerkA, 'POST', '/v1/portal/timesheets', { staffMember: { name: 'Own Doc' }, entries: [entries[0]] });
    const companySheet = await staff('POST', '/v1/timesheets', { clientId: companyA, staffMember: { name: 'Company Doc' }, entries: [entries[0]] });
    const changed = await staff('PATCH', '/v1/organization/settings', { portalDocumentVisibility: 'own' });
    expect(changed.status).toBe(200);
    try {
      const visible = await portal(approverA, 'GET', `/v1/portal/timesheets?limit=200&minPosition=${companySheet.body.position}`);
      const ids = visible.body.items.map((t: any) => t.id);
      expect(ids).toContain(companySheet.body.id);
      expect(ids).not.toContain(clerksSheet.body.id);
      await refused(portal(approverA, 'GET', `/v1/portal/timesheets/${clerksSheet.body.id}`), 404, 'timesheet-not-found');
      await refused(portal(approverA, 'POST', `/v1/portal/timesheets/${clerksSheet.body.id}/approve`), 404, 'timesheet-not-found');
      expect((await portal(clerkA, 'GET', `/v1/portal/timesheets/${clerksSheet.body.id}`)).status).toBe(200);
      expect((await portal(approverA, 'POST', `/v1/portal/timesheets/${companySheet.body.id}/approve`)).status).toBe(200);
      // Shifts are for the whole company.
      expect((await portal(approverA, 'GET', '/v1/portal/shifts')).body.items.length).toBeGreaterThan(0);
    } finally {
      await staff('PATCH', '/v1/organization/settings', { portalDocumentVisibility: 'company' });
    }
  });

  it('keeps an approvals queue: staff see every pending timesheet and quote, a portal user what it may decide', async () => {
    const sheet = await portal(clerkA, 'POST', '/v1/portal/timesheets', { staffMember: { name: 'Queue Person' }, entries: [entries[0]] });
    expect(sheet.status).toBe(201);
    const quote = await staff('POST', '/v1/quotes', {
      clientId: companyA,
      number: `Q-${randomUUID().slice(0, 6)}`,
      issueDate: '2026-03-01',
      validUntil: '2099-12-31',
      currency: 'EUR',
      lines: [{ description: 'Forklift drivers', quantity: '10', unitPrice: '35.00' }],
      link: 'https://erp.example/q/1',
    });
    expect(quote.status).toBe(201);
    const elsewhere = await portal(clerkB, 'POST', '/v1/portal/timesheets', { staffMember: { name: 'Elsewhere' }, entries: [entries[0]] });
    const after = `minPosition=${Math.max(sheet.body.position, quote.body.position, elsewhere.body.position)}`;

    const queueA = await staff('GET', `/v1/approvals?clientId=${companyA}&limit=200&${after}`);
    expect(queueA.status).toBe(200);
    const idsA = queueA.body.items.map((i: { id: string }) => i.id);
    expect(idsA).toEqual(expect.arrayContaining([sheet.body.id, quote.body.id]));
    expect(idsA).not.toContain(elsewhere.body.id);
    expect(queueA.body.items.every((i: { pending: boolean; kind: string }) => i.pending && ['timesheet', 'quote'].includes(i.kind))).toBe(true);
    const everything = await staff('GET', `/v1/approvals?limit=200&${after}`);
    expect(everything.body.items.map((i: { id: string }) => i.id)).toEqual(expect.arrayContaining([sheet.body.id, quote.body.id, elsewhere.body.id]));

    // The approver may decide timesheets (not quotes); the clerk may decide nothing.
    const mine = await portal(approverA, 'GET', `/v1/portal/approvals?${after}`);
    expect(mine.status).toBe(200);
    const mineIds = mine.body.items.map((i: { id: string }) => i.id);
    expect(mineIds).toContain(sheet.body.id);
    expect(mineIds).not.toContain(quote.body.id);
    expect(mineIds).not.toContain(elsewhere.body.id);
    expect((await portal(clerkA, 'GET', `/v1/portal/approvals?${after}`)).body.items).toEqual([]);

    const approved = await portal(approverA, 'POST', `/v1/portal/timesheets/${sheet.body.id}/approve`);
    expect(approved.status).toBe(200);
    const later = await staff('GET', `/v1/approvals?clientId=${companyA}&limit=200&minPosition=${approved.body.position}`);
    expect(later.body.items.map((i: { id: string }) => i.id)).not.toContain(sheet.body.id);
    expect((await api.request('GET', '/v1/approvals', undefined, bearer(approverA.session))).status).toBe(401);
  });
});
