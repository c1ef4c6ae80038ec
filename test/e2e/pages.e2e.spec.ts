import { randomUUID } from 'node:crypto';
import { removeDataDir, startApp, TestApp, tokenIn } from '../support/app';

/**
 * The pages over plain HTTP (the browser suite drives them in Chromium): headers, cookies,
 * CSRF refusals, what is never echoed, the form flow of an invitation, the describe routes
 * they rely on, and the auditor's subject search.
 */
describe('pages (e2e, HTTP)', () => {
  let api: TestApp;
  let clientId: string;

  /** A browser in miniature: keeps cookies, follows nothing, posts forms. */
  class Browser {
    readonly cookies = new Map<string, string>();
    readonly setCookies: string[] = [];

    async open(path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}) {
      const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...init.headers };
      let body: string | undefined;
      if (init.form) {
        body = new URLSearchParams(init.form).toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
      }
      const response = await fetch(`${api.url}${path}`, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
      for (const line of response.headers.getSetCookie()) {
        this.setCookies.push(line);
        const [pair] = line.split(';');
        const at = pair.indexOf('=');
        const name = pair.slice(0, at);
        const value = pair.slice(at + 1);
        if (/Max-Age=0/.test(line)) this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
      return { status: response.status, headers: response.headers, text: await response.text() };
    }

    csrf(): string {
      return this.cookies.get('__Host-portal-csrf') ?? '';
    }
  }

  async function invite(name: string, options: { language?: string } = {}): Promise<{ contactId: string; email: string; token: string }> {
    const email = `${randomUUID()}@pages.example`;
    const contactId = (await api.request('POST', `/v1/clients/${clientId}/contacts`, { name, email })).body.id as string;
    expect((await api.request('POST', `/v1/contacts/${contactId}/portal-access/invite`, options)).status).toBe(200);
    const token = tokenIn((await api.outbox()).filter((m) => m.content.includes(email)).at(-1)!.content);
    return { contactId, email, token };
  }

  beforeAll(async () => {
    api = await startApp({ ORGANIZATION_NAME: 'Agency One', INVITE_RESEND_COOLDOWN_SECONDS: '0' });
    await api.request('PATCH', '/v1/organization/settings', {});
    clientId = (await api.request('POST', '/v1/clients', { name: 'Acme Logistics' })).body.id;
  });

  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  it('shows an invitation without echoing its token, with the pages’ security headers and a link cookie', async () => {
    const { token } = await invite('Ana Souza');
    const browser = new Browser();
    const page = await browser.open(`/portal/accept-invitation?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Ana Souza');
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).not.toContain(token);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const linkCookie = browser.setCookies.find((c) => c.startsWith('__Host-portal-invitation='))!;
    expect(linkCookie).toMatch(/; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=1800$/);
    expect(browser.setCookies.find((c) => c.startsWith('__Host-portal-csrf='))).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('speaks the invitation’s language', async () => {
    const { token } = await invite('佐藤 健二', { language: 'ja' });
    const page = await new Browser().open(`/portal/accept-invitation?token=${token}`);
    expect(page.text).toContain('<html lang="ja">');
    expect(page.text).toContain('招待を承認する');
    expect(page.text).toContain('佐藤 健二 様');
  });

  it('never echoes an unknown token or a path: plain pages, not error dumps', async () => {
    const secret = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0MTIzNDU2Nzg';
    const unknown = await new Browser().open(`/portal/accept-invitation?token=${secret}`);
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(unknown.text).toContain('This link is not valid');
    expect(unknown.text).not.toContain(secret);
    const missing = await new Browser().open(`/portal/no-such-page/deeper?token=${secret}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(missing.text).not.toContain(secret);
    expect(missing.text).not.toContain('no-such-page');
    const unknownSlug = await new Browser().open(`/portal/no-such-portal?token=${secret}`);
    expect(unknownSlug.status).toBe(404);
    expect(unknownSlug.text).not.toContain(secret);
    const reset = await new Browser().open(`/portal/reset-password?token=${secret}`);
    expect(reset.status).toBe(400);
    expect(reset.text).not.toContain(secret);
    const noToken = await new Browser().open('/portal/accept-invitation');
    expect(noToken.status).toBe(400);
    expect(noToken.text).toContain('The link is incomplete');
  });

  it('refuses form posts from elsewhere: no CSRF token, another site, another origin', async () => {
    const { token } = await invite('Bo Berg');
    const browser = new Browser();
    await browser.open(`/portal/accept-invitation?token=${token}`);
    const form = { password: 'a long and unusual passphrase', passwordRepeat: 'a long and unusual passphrase' };
    expect((await browser.open('/portal/accept-invitation', { form })).status).toBe(403);
    expect((await browser.open('/portal/accept-invitation', { form: { ...form, csrf: 'x'.repeat(43) } })).status).toBe(403);
    expect((await browser.open('/portal/accept-invitation', { form: { ...form, csrf: browser.csrf() }, headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await browser.open('/portal/accept-invitation', { form: { ...form, csrf: browser.csrf() }, headers: { origin: 'https://evil.example' } })).status).toBe(403);
    // Nothing was accepted: the invitation still is.
    const described = await api.request('POST', '/v1/portal/invitations/describe', { token }, { authorization: '' });
    expect(described.body.status).toBe('valid');
  });

  it('accepts an invitation through the form: the API’s password rules, then signed in by a session cookie', async () => {
    const { token, contactId } = await invite('Carla Dias');
    const browser = new Browser();
    await browser.open(`/portal/accept-invitation?token=${token}`);
    const post = (password: string, repeat = password) => browser.open('/portal/accept-invitation', { form: { csrf: browser.csrf(), password, passwordRepeat: repeat } });

    const differ = await post('a long and unusual passphrase', 'another long passphrase');
    expect(differ.status).toBe(422);
    expect(differ.text).toContain('The two passwords are not the same.');
    const common = await post('1234567890');
    expect(common.status).toBe(422);
    expect(common.text).toContain('one of the most common passwords');
    const short = await post('short');
    expect(short.status).toBe(422);
    expect(short.text).toContain('shorter than 10 characters');

    const accepted = await post('a long and unusual passphrase');
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toBe('/portal?notice=welcome');
    const session = browser.setCookies.find((c) => c.startsWith('__Host-portal-session=cps_'))!;
    expect(session).toMatch(/; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    expect(browser.cookies.has('__Host-portal-invitation')).toBe(false);

    const landing = await browser.open('/portal?notice=welcome');
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('Hello, Carla Dias');
    expect(landing.text).toContain('Your password is set');
    // The same action as the API: the access is Active, by the portal user, through the portal.
    const access = await api.request('GET', `/v1/contacts/${contactId}/portal-access`);
    expect(access.body.status).toBe('Active');

    // The link again: already accepted, said plainly.
    const again = await new Browser().open(`/portal/accept-invitation?token=${token}`);
    expect(again.status).toBe(410);
    expect(again.text).toContain('This invitation has already been accepted');

    // Signing out ends the cookie; the landing page then asks to sign in.
    const out = await browser.open('/portal/sign-out', { form: { csrf: browser.csrf() } });
    expect(out.status).toBe(303);
    expect((await browser.open('/portal')).headers.get('location')).toBe('/portal/sign-in');
    // A session cookie that no longer works (expired, password changed, access disabled) says so, and goes.
    browser.cookies.set('__Host-portal-session', session.slice('__Host-portal-session='.length).split(';')[0]);
    expect((await api.request('POST', `/v1/contacts/${contactId}/portal-access/disable`, { reason: 'left' })).status).toBe(200);
    const ended = await browser.open('/portal');
    expect(ended.headers.get('location')).toBe('/portal/sign-in?notice=session-ended');
    expect(browser.cookies.has('__Host-portal-session')).toBe(false);
    expect((await browser.open('/portal/sign-in?notice=session-ended')).text).toContain('Your session has ended.');
  });

  it('acts on documents through the API: reject, decline, a refusal said on the page; another company’s document is not found', async () => {
    const portalId = (await api.request('GET', '/v1/portals?limit=200')).body.items.find((p: { isDefault: boolean }) => p.isDefault).id;
    const approver = (await api.request('POST', `/v1/portals/${portalId}/user-types`, { name: 'Decider', modules: { timesheets: { view: true, approve: true }, quotes: { view: true, approve: true } } })).body.id;
    const { token, contactId } = await invite('Fia Gomes', {});
    expect((await api.request('PUT', `/v1/contacts/${contactId}/portal-access/user-type`, { userTypeId: approver })).status).toBe(200);
    const browser = new Browser();
    await browser.open(`/portal/accept-invitation?token=${token}`);
    expect((await browser.open('/portal/accept-invitation', { form: { csrf: browser.csrf(), password: 'a long and unusual passphrase', passwordRepeat: 'a long and unusual passphrase' } })).status).toBe(303);

    const timesheetId = (await api.request('POST', '/v1/timesheets', { clientId, staffMember: { name: 'Jo Temp' }, entries: [{ date: '2026-03-02', start: '08:00', end: '12:00' }] })).body.id;
    const quote = { clientId, issueDate: '2026-03-01', validUntil: '2099-03-31', currency: 'EUR', lines: [{ description: 'Work', quantity: '1', unitPrice: '10.00' }], link: 'https://erp.example/q' };
    const quoteId = (await api.request('POST', '/v1/quotes', { ...quote, number: 'Q-D1' })).body.id;
    const otherClient = (await api.request('POST', '/v1/clients', { name: 'Other Co' })).body.id;
    const otherQuote = (await api.request('POST', '/v1/quotes', { ...quote, clientId: otherClient, number: 'Q-X' })).body.id;
    const head = (await api.request('GET', '/health')).body.headPosition as number;
    await api.request('GET', `/v1/timesheets/${timesheetId}?minPosition=${head}`);

    const timesheetPage = await browser.open(`/portal/documents/${timesheetId}`);
    expect(timesheetPage.status).toBe(200);
    expect(timesheetPage.text).toContain('Reject the timesheet');
    // The reason is required by the API: a refusal comes back as a message on the page.
    const noReason = await browser.open(`/portal/documents/${timesheetId}/reject`, { form: { csrf: browser.csrf(), reason: '' } });
    expect(noReason.status).toBe(303);
    expect(noReason.headers.get('location')).toBe(`/portal/documents/${timesheetId}?problem=validation-failed`);
    expect((await browser.open(noReason.headers.get('location')!)).text).toContain('Some fields are not valid.');
    const rejected = await browser.open(`/portal/documents/${timesheetId}/reject`, { form: { csrf: browser.csrf(), reason: 'Tuesday is missing' } });
    expect(rejected.headers.get('location')).toMatch(new RegExp(`^/portal/documents/${timesheetId}\\?notice=rejected&after=\\d+$`));
    const afterReject = await browser.open(rejected.headers.get('location')!);
    expect(afterReject.text).toContain('The timesheet is rejected.');
    expect(afterReject.text).toContain('Tuesday is missing');
    expect((await api.request('GET', `/v1/timesheets/${timesheetId}`)).body).toMatchObject({ status: 'rejected', rejectionReason: 'Tuesday is missing' });

    const declined = await browser.open(`/portal/documents/${quoteId}/decline`, { form: { csrf: browser.csrf(), reason: 'Over budget' } });
    expect((await browser.open(declined.headers.get('location')!)).text).toContain('The quote is declined.');
    expect((await api.request('GET', `/v1/quotes/${quoteId}`)).body.status).toBe('declined');
    const again = await browser.open(`/portal/documents/${quoteId}/accept`, { form: { csrf: browser.csrf() } });
    expect(again.headers.get('location')).toBe(`/portal/documents/${quoteId}?problem=quote-decided`);
    expect((await browser.open(again.headers.get('location')!)).text).toContain('This quote was already answered.');

    // Another company's quote: not found, opening it marks nothing, acting on it does nothing.
    expect((await browser.open(`/portal/documents/${otherQuote}`)).status).toBe(404);
    expect((await api.request('GET', `/v1/documents/${otherQuote}`)).body.viewed).toBeNull();
    const foreign = await browser.open(`/portal/documents/${otherQuote}/accept`, { form: { csrf: browser.csrf() } });
    expect(foreign.headers.get('location')).toBe(`/portal/documents/${otherQuote}?problem=quote-not-found`);
    expect((await api.request('GET', `/v1/quotes/${otherQuote}`)).body.status).toBe('pending');
    // An action without the form token changes nothing.
    expect((await browser.open(`/portal/documents/${otherQuote}/accept`, { form: {} })).status).toBe(403);
  });

  it('says that a superseded invitation was replaced', async () => {
    const { token, contactId } = await invite('Gil Horta');
    expect((await api.request('POST', `/v1/contacts/${contactId}/portal-access/resend`)).status).toBe(200);
    const page = await new Browser().open(`/portal/accept-invitation?token=${token}`);
    expect(page.status).toBe(410);
    expect(page.text).toContain('A newer invitation was sent');
    expect(page.text).toContain('ask Agency One for a new invitation');
  });

  it('describes invitation and reset tokens through the API (POST, so the token stays out of URLs)', async () => {
    const { token, email } = await invite('Dan Eriksson', { language: 'fr' });
    const described = await api.request('POST', '/v1/portal/invitations/describe', { token }, { authorization: '' });
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ status: 'valid', organizationName: 'Agency One', contactName: 'Dan Eriksson', email, language: 'fr' });
    const unknown = await api.request('POST', '/v1/portal/invitations/describe', { token: 'nope' }, { authorization: '' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.type).toBe('/problems/invalid-token');
    const resetUnknown = await api.request('POST', '/v1/portal/password-reset/describe', { token: 'nope' }, { authorization: '' });
    expect(resetUnknown.status).toBe(400);
    const openapi = (await api.request('GET', '/docs/openapi.json')).body;
    expect(openapi.paths['/v1/portal/invitations/describe'].post).toBeDefined();
    expect(openapi.paths['/v1/portal/password-reset/describe'].post).toBeDefined();
    expect(openapi.paths['/v1/audit/subjects'].get).toBeDefined();
    expect(Object.keys(openapi.paths).filter((path) => path.startsWith('/portal') || path.startsWith('/audit'))).toEqual([]);
  });

  it('parses form bodies for the pages only: the API still answers 415 to them', async () => {
    const response = await fetch(`${api.url}/v1/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.apiKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Form+Co',
    });
    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('serves the pages’ own files and the auditor’s page', async () => {
    for (const [file, type] of [
      ['pages.css', 'text/css; charset=utf-8'],
      ['portal.js', 'text/javascript; charset=utf-8'],
      ['audit.js', 'text/javascript; charset=utf-8'],
      ['icon.svg', 'image/svg+xml'],
    ]) {
      const response = await fetch(`${api.url}/portal/assets/${file}`);
      expect({ file, status: response.status, type: response.headers.get('content-type') }).toEqual({ file, status: 200, type });
    }
    expect((await fetch(`${api.url}/portal/assets/nope.js`)).status).toBe(404);
    const audit = await new Browser().open('/audit');
    expect(audit.status).toBe(200);
    expect(audit.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(audit.text).toContain('id="audit-messages"');
  });

  it('lets an auditor key find contacts, companies and documents, and only its own organization’s', async () => {
    const auditor = (await api.request('POST', '/v1/api-keys', { name: 'auditor', role: 'auditor' })).body.key as string;
    const reporter = (await api.request('POST', '/v1/api-keys', { name: 'reporter', role: 'reporter' })).body.key as string;
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    const { contactId, email } = await invite('Eva Quintana');
    const quoteId = (
      await api.request('POST', '/v1/quotes', {
        clientId,
        number: 'Q-1',
        issueDate: '2026-03-01',
        validUntil: '2099-03-31',
        currency: 'EUR',
        lines: [{ description: 'Work', quantity: '1', unitPrice: '10.00' }],
        link: 'https://erp.example/q/1',
      })
    ).body.id as string;
    const head = (await api.request('GET', '/health')).body.headPosition as number;

    const byName = await api.request('GET', `/v1/audit/subjects?q=quint&minPosition=${head}`, undefined, as(auditor));
    expect(byName.status).toBe(200);
    expect(byName.body.items).toEqual([{ id: contactId, kind: 'contact', label: 'Eva Quintana', detail: email }]);
    const byEmail = await api.request('GET', `/v1/audit/subjects?q=${encodeURIComponent(email)}`, undefined, as(auditor));
    expect(byEmail.body.items.map((s: { id: string }) => s.id)).toEqual([contactId]);
    const company = await api.request('GET', `/v1/audit/subjects?q=acme`, undefined, as(auditor));
    expect(company.body.items).toContainEqual({ id: clientId, kind: 'client', label: 'Acme Logistics', detail: null });
    const byId = await api.request('GET', `/v1/audit/subjects?q=${quoteId}`, undefined, as(auditor));
    expect(byId.body.items).toEqual([{ id: quoteId, kind: 'quote', label: 'Quote Q-1', detail: 'pending' }]);

    const withRelated = await api.request('GET', `/v1/audit/subjects/${clientId}`, undefined, as(auditor));
    expect(withRelated.status).toBe(200);
    expect(withRelated.body.related.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([contactId, quoteId]));
    const contact = await api.request('GET', `/v1/audit/subjects/${contactId}`, undefined, as(auditor));
    expect(contact.body.related.map((s: { kind: string }) => s.kind).sort()).toEqual(['client', 'portal-access']);

    expect((await api.request('GET', '/v1/audit/subjects?q=acme', undefined, as(reporter))).status).toBe(403);
    expect((await api.request('GET', '/v1/audit/subjects?q=acme', undefined, { authorization: '' })).status).toBe(401);
    // Another organization sees none of it.
    const other = await api.request('POST', '/v1/organizations', { name: 'Other Org' });
    const otherKey = other.body.apiKey?.key ?? other.body.key ?? other.body.adminKey;
    expect(typeof otherKey).toBe('string');
    expect((await api.request('GET', `/v1/audit/subjects/${clientId}`, undefined, as(otherKey))).status).toBe(404);
    expect((await api.request('GET', `/v1/audit/subjects?q=acme`, undefined, as(otherKey))).body.items).toEqual([]);
  });
});
