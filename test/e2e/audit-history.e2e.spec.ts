import Database from 'better-sqlite3';
import { join } from 'node:path';
import { LogVerifier } from '../../libs/event-store/src';
import { ExportLine, storedEventOfLine } from '../../apps/api/src/audit/audit-log';
import { AuditLog } from '../../apps/api/src/audit/audit-log';
import { startApp, TestApp } from '../support/app';
import { signedInPortalUser } from '../support/portal-user';

/**
 * Auditors: state as of any instant (folded from the events), why a person could do what,
 * filtered and paged history, streamed exports that verify offline, tamper evidence on the
 * live SQLite file, and erasure by crypto-shredding that keeps the history verifiable.
 */
describe('audit history (e2e)', () => {
  let api: TestApp;
  const keys: Record<string, string> = {};
  let otherOrgKey: string;
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    api = await startApp({ INVITE_RESEND_COOLDOWN_SECONDS: '0', AUDIT_ANCHOR_INTERVAL_SECONDS: '0' });
    for (const role of ['agent', 'auditor', 'reporter']) {
      keys[role] = (await api.request('POST', '/v1/api-keys', { name: role, role })).body.key;
    }
    otherOrgKey = (await api.request('POST', '/v1/organizations', { name: 'Other Org', timeZone: 'UTC' })).body.adminKey;
  });

  afterAll(async () => {
    await api.close();
  });

  const newClient = async () => (await api.request('POST', '/v1/clients', { name: `Client ${Math.random()}` })).body.id as string;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 15));

  it('answers a contact, a company and a portal as of an instant or a position, with the events that made it', async () => {
    const clientId = await newClient();
    const added = await api.request('POST', `/v1/clients/${clientId}/contacts`, { name: 'Ana Souza', email: 'ana@example.com' });
    const contactId = added.body.id as string;
    await pause();
    const between = new Date().toISOString();
    await pause();
    const updated = await api.request('PATCH', `/v1/contacts/${contactId}`, { name: 'Ana S. Lima' });
    expect(updated.status).toBe(200);

    const past = await api.request('GET', `/v1/contacts/${contactId}?asOf=${between}`, undefined, as(keys.auditor));
    expect(past.status).toBe(200);
    expect(past.body).toMatchObject({ id: contactId, streamName: `contact-${contactId}`, asOf: between, state: { name: 'Ana Souza', email: 'ana@example.com' } });
    expect(past.body.events).toEqual([expect.objectContaining({ type: 'ContactAdded', actor: expect.objectContaining({ kind: 'staff' }), channel: 'api' })]);

    const now = await api.request('GET', `/v1/contacts/${contactId}?asOfPosition=${updated.body.position}`, undefined, as(keys.auditor));
    expect(now.body.state.name).toBe('Ana S. Lima');
    expect(now.body.events.map((e: { type: string }) => e.type)).toEqual(['ContactAdded', 'ContactUpdated']);

    const company = await api.request('GET', `/v1/clients/${clientId}?asOf=${new Date().toISOString()}`);
    expect(company.status).toBe(200);
    expect(company.body.events[0].type).toBe('ClientCompanyRegistered');

    expect((await api.request('GET', `/v1/contacts/${contactId}?asOf=2000-01-01T00:00:00Z`)).status).toBe(404);
    expect((await api.request('GET', `/v1/contacts/${contactId}?asOf=yesterday`)).status).toBe(422);
    // An audit read: the auditor may, agents and reporters may not; another organization sees nothing.
    expect((await api.request('GET', `/v1/contacts/${contactId}?asOf=${between}`, undefined, as(keys.reporter))).status).toBe(403);
    expect((await api.request('GET', `/v1/contacts/${contactId}?asOf=${between}`, undefined, as(keys.agent))).status).toBe(403);
    expect((await api.request('GET', `/v1/contacts/${contactId}?asOf=${between}`, undefined, as(otherOrgKey))).status).toBe(404);
    // Without asOf the routes answer as before.
    expect((await api.request('GET', `/v1/contacts/${contactId}?minPosition=${updated.body.position}`, undefined, as(keys.reporter))).status).toBe(200);
  });

  it('tells why a portal user could do what, at a moment: user type or view only, none once disabled', async () => {
    const clientId = await newClient();
    const user = await signedInPortalUser(api, clientId);
    await pause();
    const active = new Date().toISOString();
    await pause();
    expect((await api.request('POST', `/v1/contacts/${user.contactId}/portal-access/disable`, {})).status).toBe(200);

    const then = await api.request('GET', `/v1/contacts/${user.contactId}/portal-access/permissions?asOf=${active}`, undefined, as(keys.auditor));
    expect(then.status).toBe(200);
    expect(then.body).toMatchObject({ status: 'Active', source: { kind: 'no-user-type', detail: 'no user type: view only' } });
    expect(then.body.modules.timesheets).toEqual({ view: true, create: false, edit: false, delete: false, approve: false });
    expect(then.body.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['PortalCreated', 'ContactInvited', 'InvitationAccepted']));

    const nowAnswer = await api.request('GET', `/v1/contacts/${user.contactId}/portal-access/permissions`, undefined, as(keys.auditor));
    expect(nowAnswer.body).toMatchObject({ status: 'Disabled', source: { kind: 'access-not-active', status: 'Disabled' } });
    for (const permissions of Object.values(nowAnswer.body.modules as Record<string, Record<string, boolean>>)) expect(Object.values(permissions).every((p) => p === false)).toBe(true);

    const access = await api.request('GET', `/v1/contacts/${user.contactId}/portal-access?asOf=${active}`, undefined, as(keys.auditor));
    expect(access.body.state).toMatchObject({ status: 'Active', email: user.email });
    expect((await api.request('GET', `/v1/contacts/${user.contactId}/portal-access/permissions`, undefined, as(keys.reporter))).status).toBe(403);
    expect((await api.request('GET', `/v1/contacts/${user.contactId}/portal-access/permissions`, undefined, as(otherOrgKey))).status).toBe(404);
  });

  it('filters the history and pages it both ways, oldest or newest first', async () => {
    const clientId = await newClient();
    const contactId = (await api.request('POST', `/v1/clients/${clientId}/contacts`, { name: 'Paged Person' })).body.id as string;
    let position = 0;
    for (let i = 0; i < 5; i++) position = (await api.request('PATCH', `/v1/contacts/${contactId}`, { phone: `+1 555 000 00${i}` })).body.position;
    const all10 = `/v1/audit?subjectId=${contactId}&type=ContactUpdated&minPosition=${position}`;
    const base = `${all10}&limit=2`;

    const first = await api.request('GET', base, undefined, as(keys.auditor));
    expect(first.body.items).toHaveLength(2);
    expect(first.body.prevCursor).toBeNull();
    const second = await api.request('GET', `${base}&cursor=${first.body.nextCursor}`, undefined, as(keys.auditor));
    const third = await api.request('GET', `${base}&cursor=${second.body.nextCursor}`, undefined, as(keys.auditor));
    expect(third.body.items).toHaveLength(1);
    expect(third.body.nextCursor).toBeNull();
    const back = await api.request('GET', `${base}&cursor=${second.body.prevCursor}`, undefined, as(keys.auditor));
    expect(back.body.items.map((i: { position: number }) => i.position)).toEqual(first.body.items.map((i: { position: number }) => i.position));
    const all = [...first.body.items, ...second.body.items, ...third.body.items].map((i: { position: number }) => i.position);
    expect(all).toEqual([...all].sort((a, b) => a - b));

    const newest = await api.request('GET', `${all10}&order=desc&limit=10`, undefined, as(keys.auditor));
    expect(newest.body.items.map((i: { position: number }) => i.position)).toEqual([...all].reverse());
    const actor = first.body.items[0].actor.id as string;
    expect((await api.request('GET', `${all10}&actorId=${actor}&limit=10`, undefined, as(keys.auditor))).body.items).toHaveLength(5);
    expect((await api.request('GET', `${all10}&actorId=nobody&limit=10`, undefined, as(keys.auditor))).body.items).toHaveLength(0);
    expect((await api.request('GET', `${base}&to=2000-01-01T00:00:00Z`, undefined, as(keys.auditor))).body.items).toHaveLength(0);
    expect((await api.request('GET', `${base}&asOf=2000-01-01T00:00:00Z`, undefined, as(keys.auditor))).body.items).toHaveLength(0);
    expect((await api.request('GET', `${base}&order=sideways`, undefined, as(keys.auditor))).status).toBe(422);
  });

  it('exports the history as JSONL and CSV, records the export, and the JSONL verifies offline', async () => {
    const response = await fetch(`${api.url}/v1/audit/export?format=jsonl`, { headers: as(keys.auditor) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const exportId = response.headers.get('x-export-id');
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[0].export).toMatchObject({ version: 1, complete: false });
    expect(lines.at(-1).summary.events).toBe(lines.length - 2);
    const events = lines.slice(1, -1) as ExportLine[];
    expect(events[0]).toEqual(expect.objectContaining({ position: expect.any(String), type: expect.any(String), actor: expect.anything(), channel: expect.any(String), correlationId: expect.any(String), causationId: expect.any(String), hash: expect.any(String) }));
    const verifier = new LogVerifier(false);
    for (const line of events) expect(verifier.add(storedEventOfLine(line))).toBe(true);
    expect(verifier.result()).toMatchObject({ ok: true, events: events.length });
    // An altered export line is found offline.
    const altered = new LogVerifier(false);
    const tampered = { ...events[0], stored: { ...events[0].stored, data: events[0].stored.data.replace('"', ' "') } };
    expect(altered.add(storedEventOfLine(tampered))).toBe(false);

    const recorded = await api.request('GET', `/v1/audit?type=AuditExported&order=desc&limit=1`, undefined, as(keys.auditor));
    expect(recorded.body.items[0].data).toMatchObject({ exportId, format: 'jsonl' });

    const csv = await fetch(`${api.url}/v1/audit/export?format=csv&from=2000-01-01T00:00:00Z`, { headers: as(keys.auditor) });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect((await csv.text()).split('\n')[0]).toBe('position,occurredAt,type,actor,onBehalfOf,channel,correlationId,causationId,streamName,streamRevision,eventId,recordedAt,data,storedData,storedMetadata,hash,previousHash');
    expect((await api.request('GET', '/v1/audit/export?format=xml', undefined, as(keys.auditor))).status).toBe(422);
  });

  it('erases a person: its data reads [erased] in the read models, the history, as-of and exports; the log still verifies', async () => {
    const clientId = await newClient();
    const user = await signedInPortalUser(api, clientId, { name: 'Erin Forgotten' });
    const erased = await api.request('POST', `/v1/contacts/${user.contactId}/erase`, undefined);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ contactId: user.contactId, revokedAccesses: 1 });

    const contactView = await api.request('GET', `/v1/contacts/${user.contactId}?minPosition=${erased.body.position}`);
    expect(contactView.body).toMatchObject({ name: '[erased]', email: null });
    const history = await api.request('GET', `/v1/audit?subjectId=${user.contactId}&limit=50`, undefined, as(keys.auditor));
    const added = history.body.items.find((i: { type: string }) => i.type === 'ContactAdded');
    expect(added.data).toMatchObject({ name: '[erased]', email: '[erased]' });
    const past = await api.request('GET', `/v1/contacts/${user.contactId}?asOfPosition=${added.position}`, undefined, as(keys.auditor));
    expect(past.body.state).toMatchObject({ name: '[erased]', email: '[erased]' });
    const exported = await (await fetch(`${api.url}/v1/audit/export?subjectId=${user.contactId}`, { headers: as(keys.auditor) })).text();
    expect(exported).not.toContain('Erin Forgotten');
    expect(exported).not.toContain(user.email);
    expect(exported).toContain('[erased]');
    // Nothing personal was ever stored in the clear.
    const db = new Database(join(api.dataDir, 'events.sqlite'), { readonly: true });
    const raw = db.prepare('SELECT data FROM events').pluck().all() as string[];
    db.close();
    expect(raw.some((data) => data.includes('Erin Forgotten') || data.includes(user.email))).toBe(false);

    expect((await api.request('PATCH', `/v1/contacts/${user.contactId}`, { name: 'Back again' })).status).toBe(410);
    expect((await api.request('POST', `/v1/contacts/${user.contactId}/erase`)).status).toBe(200);
    expect((await api.request('GET', '/v1/audit/verify', undefined, as(keys.auditor))).body).toMatchObject({ ok: true });
  });

  it('verifies the live log with its anchors, then finds one byte altered in the SQLite file', async () => {
    const anchored = await api.app.get(AuditLog).anchorNow();
    expect(anchored).toBeDefined();
    const ok = await api.request('GET', '/v1/audit/verify', undefined, as(keys.auditor));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, anchors: 1 });
    expect(ok.body.events).toBeGreaterThan(10);

    const clientId = await newClient();
    const contactId = (await api.request('POST', `/v1/clients/${clientId}/contacts`, { name: 'Tamper Target' })).body.id as string;
    const subject = await api.request('GET', `/v1/audit/verify?subjectId=${contactId}`, undefined, as(keys.auditor));
    expect(subject.body).toMatchObject({ ok: true, events: 1, streams: [`contact-${contactId}`] });

    const db = new Database(join(api.dataDir, 'events.sqlite'));
    const row = db.prepare('SELECT position, id FROM events WHERE stream_name = ?').get(`contact-${contactId}`) as { position: number; id: string };
    db.prepare("UPDATE events SET metadata = replace(metadata, '\"channel\":\"api\"', '\"channel\":\"apx\"') WHERE position = ?").run(row.position);
    db.close();

    const broken = await api.request('GET', '/v1/audit/verify', undefined, as(keys.auditor));
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({ ok: false, firstBroken: { position: String(row.position), streamName: `contact-${contactId}`, eventId: row.id } });
    expect(broken.body.firstBroken.expected).not.toBe(broken.body.firstBroken.found);
    // Another organization learns that the log is broken, not where in this one's records.
    const other = await api.request('GET', '/v1/audit/verify', undefined, as(otherOrgKey));
    expect(other.body).toMatchObject({ ok: false, firstBroken: { streamName: '(another organization)', eventId: '' } });
    expect((await api.request('GET', '/v1/audit/verify', undefined, as(keys.reporter))).status).toBe(403);
  });
});

describe('an altered event that no longer parses (e2e)', () => {
  it('does not stop the service: it starts, verify names the event, commands on that stream answer a clear problem', async () => {
    const first = await startApp({ AUDIT_ANCHOR_INTERVAL_SECONDS: '0' });
    const clientId = (await first.request('POST', '/v1/clients', { name: 'Broken Co' })).body.id as string;
    const dataDir = first.dataDir;
    await first.close();
    const db = new Database(join(dataDir, 'events.sqlite'));
    // The organization's very first event and the company's: one byte gone each.
    db.prepare("UPDATE events SET data = substr(data, 2) WHERE position = 1 OR stream_name = ?").run(`clientCompany-${clientId}`);
    const position = db.prepare('SELECT position FROM events WHERE stream_name = ?').pluck().get(`clientCompany-${clientId}`) as number;
    db.close();

    const api = await startApp({ AUDIT_ANCHOR_INTERVAL_SECONDS: '0' }, dataDir);
    try {
      const verify = await api.request('GET', '/v1/audit/verify');
      expect(verify.body).toMatchObject({ ok: false, firstBroken: { position: '1' } });
      const command = await api.request('PATCH', `/v1/clients/${clientId}`, { name: 'Still Broken Co' });
      expect(command.status).toBe(503);
      expect(command.body).toMatchObject({ type: '/problems/stream-unreadable', position: String(position) });
      expect((await api.request('POST', '/v1/clients', { name: 'Other Co' })).status).toBe(201);
    } finally {
      await api.close();
    }
  });
});
