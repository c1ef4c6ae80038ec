import { randomUUID } from 'node:crypto';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { removeDataDir, startApp, TestApp } from '../support/app';
import { AxeViolation, checkPage, chromiumPath, eventually, launchChromium, textOf } from './support/browser';

const executablePath = chromiumPath();
const describeInBrowser = executablePath ? describe : describe.skip;

/**
 * The pages as a person uses them, in headless Chromium: the invited person opens the link
 * from the email in the outbox, sets a password, lands signed in, approves a timesheet, opens a
 * quote (the staff API then shows it viewed), comments, pays, changes language; an expired
 * invitation; a forgotten password; the auditor's timeline. Every page is checked with axe-core
 * and at 390 px, and photographed at both sizes into test-artifacts/.
 */
describeInBrowser('portal pages in a browser', () => {
  const PASSWORD = 'a long and unusual passphrase';
  const NEW_PASSWORD = 'another quite unusual passphrase';
  const axeReport = new Map<string, { violations: AxeViolation[]; passes: number }>();
  const problems: string[] = [];
  const referers: string[] = [];

  let api: TestApp;
  let browser: Browser;
  let person: { contactId: string; email: string; name: string };
  let timesheetId: string;
  let quoteId: string;
  let invoiceId: string;
  /** The invited person's window, signed in by the first test, used by the next. */
  let signedIn: { context: BrowserContext; page: Page } | undefined;
  const started = Date.now();

  const ok = <T extends { status: number; body: any }>(response: T, status = 200): T => {
    expect({ status: response.status, body: response.body }).toMatchObject({ status });
    return response;
  };

  /** A new browser window for one person, every console error and failed page load recorded. */
  async function newContext(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    context.setDefaultTimeout(5_000);
    const page = await context.newPage();
    // A page answered 4xx on purpose logs "Failed to load resource" for itself: only its
    // subresources must all load.
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      const type = response.request().resourceType();
      if (response.status() >= 400 && (type === 'stylesheet' || type === 'script' || type === 'image')) problems.push(`${response.status()} ${response.url()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      const referer = request.headers().referer;
      if (referer) referers.push(referer);
    });
    return { context, page };
  }

  /** The link of the latest email to `to` whose body contains `marker`, opened on the test server. */
  async function linkFromOutbox(to: string, marker: string): Promise<string> {
    const email = (await api.outbox()).filter((m) => m.content.includes(to) && m.content.includes(marker)).at(-1);
    if (!email) throw new Error(`No email with ${marker} to ${to}`);
    const match = /https?:\/\/[^\s"<>]*\/portal\/[a-z-]+\?token=[A-Za-z0-9_-]+/.exec(email.content);
    if (!match) throw new Error(`No link in the email:\n${email.content}`);
    // PUBLIC_PORTAL_URL names this server's /portal; the test server listens on a random port.
    const link = new URL(match[0]);
    return `${api.url}${link.pathname}${link.search}`;
  }

  async function waitForEmail(to: string, marker: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!(await api.outbox()).some((m) => m.content.includes(to) && m.content.includes(marker))) {
      if (Date.now() > deadline) throw new Error(`No email with ${marker} to ${to}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    [api, browser] = await Promise.all([startApp({ ORGANIZATION_NAME: 'Agency One', INVITE_RESEND_COOLDOWN_SECONDS: '0' }), launchChromium(executablePath!)]);
    const portalId = ok(await api.request('GET', '/v1/portals?limit=200')).body.items.find((p: { isDefault: boolean }) => p.isDefault).id;
    const approver = ok(
      await api.request('POST', `/v1/portals/${portalId}/user-types`, {
        name: 'Approver',
        modules: { shifts: { view: true }, timesheets: { view: true, approve: true }, quotes: { view: true, approve: true }, invoices: { view: true, approve: true } },
      }),
      201,
    ).body.id;
    const clientId = ok(await api.request('POST', '/v1/clients', { name: 'Acme Logistics' }), 201).body.id;
    person = { name: 'Ana Souza', email: `ana-${randomUUID()}@acme.example`, contactId: '' };
    person.contactId = ok(await api.request('POST', `/v1/clients/${clientId}/contacts`, { name: person.name, email: person.email }), 201).body.id;
    ok(await api.request('POST', `/v1/contacts/${person.contactId}/portal-access/invite`, { userTypeId: approver }));
    ok(
      await api.request('POST', '/v1/shifts', {
        clientId,
        staffMember: { name: 'Jonas Weber' },
        start: '2026-03-30T08:00:00+00:00',
        end: '2026-03-30T16:30:00+00:00',
        location: 'Lager Nord',
        role: 'Forklift driver',
      }),
      201,
    );
    timesheetId = ok(
      await api.request('POST', '/v1/timesheets', {
        clientId,
        staffMember: { name: 'Jonas Weber' },
        entries: [{ date: '2026-03-30', start: '08:00', end: '16:30', breakMinutes: 30 }],
      }),
      201,
    ).body.id;
    quoteId = ok(
      await api.request('POST', '/v1/quotes', {
        clientId,
        number: 'Q-42',
        issueDate: '2026-03-01',
        validUntil: '2099-12-31',
        currency: 'BRL',
        lines: [{ description: 'Staff (hours)', quantity: '160', unitPrice: '45.50' }],
        tax: '728.00',
        link: 'https://erp.example/q/42',
      }),
      201,
    ).body.id;
    invoiceId = ok(
      await api.request('POST', '/v1/invoices', {
        clientId,
        number: 'INV-7',
        issueDate: '2026-03-31',
        dueDate: '2099-04-30',
        currency: 'EUR',
        lines: [{ description: 'March', quantity: '1', unitPrice: '100.00' }],
        link: 'https://erp.example/i/7',
      }),
      201,
    ).body.id;
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    if (api) removeDataDir(api.dataDir);
    const lines = [...axeReport].map(([page, r]) => {
      const byImpact = r.violations.map((v) => `${v.id}(${v.impact})`).join(', ') || 'none';
      return `  ${page}: ${r.passes} rules passed; violations: ${byImpact}`;
    });
    // eslint-disable-next-line no-console
    console.log(`Browser suite: ${((Date.now() - started) / 1000).toFixed(1)} s, ${axeReport.size} pages checked with axe-core\n${lines.join('\n')}`);
  });

  it('takes the invited person from the emailed link to a signed-in landing page', async () => {
    const { context, page } = await newContext();
    const link = await linkFromOutbox(person.email, 'accept-invitation');
    const response = await page.goto(link);
    expect(response!.headers()['referrer-policy']).toBe('no-referrer');
    expect(response!.headers()['content-security-policy']).not.toContain('unsafe-inline');
    // The token left the address at once, and this history entry.
    expect(page.url()).toBe(`${api.url}/portal/accept-invitation`);
    expect(await page.evaluate('window.location.search')).toBe('');
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe('Accept your invitation'));
    expect(await page.locator('main').innerText()).toContain('Agency One invited you');
    await checkPage(page, 'accept-invitation', axeReport);

    // The rules are explained first, and checked before anything is sent.
    await eventually(async () => expect(await textOf(page.locator('#password-rules'))).toContain('at least 10 characters'));
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill('something else entirely');
    await page.getByRole('button', { name: 'Set the password and sign in' }).click();
    await eventually(async () => expect(await textOf(page.locator('#password-check'))).toBe('The two passwords are not the same.'));
    expect(page.url()).toBe(`${api.url}/portal/accept-invitation`);

    // A password the API refuses (common): said on the form, which still works (the token is in a cookie).
    await page.getByLabel('New password').fill('1234567890');
    await page.getByLabel('Repeat the password').fill('1234567890');
    await page.getByRole('button', { name: 'Set the password and sign in' }).click();
    await eventually(async () => expect(await textOf(page.locator('#problem'))).toContain('one of the most common passwords'));
    await eventually(async () => expect(await page.evaluate("document.activeElement && document.activeElement.id === 'problem'")).toBe(true));

    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set the password and sign in' }).click();
    await page.waitForURL(`${api.url}/portal?notice=welcome`);
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe(`Hello, ${person.name}`));
    await eventually(async () => expect(await textOf(page.getByRole('status'))).toContain('Your password is set'));

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === '__Host-portal-session')!;
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(cookies.find((c) => c.name === '__Host-portal-invitation')).toBeUndefined();
    expect(await page.evaluate('document.cookie')).toBe('');

    // What awaits a decision comes first; every module the user type sees follows.
    const awaiting = page.locator('section.awaiting');
    await eventually(async () => expect(await awaiting.locator('a').count()).toBe(2));
    for (const heading of ['Shifts', 'Timesheets', 'Quotes', 'Invoices']) await eventually(async () => expect(await page.getByRole('heading', { level: 2, name: heading }).isVisible()).toBe(true));
    await checkPage(page, 'landing', axeReport);
    signedIn = { context, page };
  });

  it('approves a timesheet, opens a quote (viewed, as the staff API shows), comments, pays and changes language', async () => {
    const { context, page } = signedIn!;

    await page.locator('section.awaiting a', { hasText: 'Timesheet' }).click();
    await page.waitForURL(`${api.url}/portal/documents/${timesheetId}`);
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe('Timesheet · Jonas Weber'));
    await checkPage(page, 'timesheet', axeReport);
    await page.getByRole('button', { name: 'Approve' }).click();
    await eventually(async () => expect(await textOf(page.getByRole('status').first())).toBe('The timesheet is approved.'));
    await eventually(async () => expect(await textOf(page.locator('.facts .status'))).toBe('Approved'));
    expect(ok(await api.request('GET', `/v1/timesheets/${timesheetId}`)).body.status).toBe('approved');

    expect(ok(await api.request('GET', `/v1/documents/${quoteId}`)).body.viewed).toBeNull();
    await page.goto(`${api.url}/portal`);
    await page.locator('section.awaiting a', { hasText: 'Quote Q-42' }).click();
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe('Quote Q-42'));
    const viewed = ok(await api.request('GET', `/v1/documents/${quoteId}`)).body.viewed;
    expect(viewed).toMatchObject({ viewCount: 1, firstViewedBy: { contactId: person.contactId } });
    await page.getByLabel('Your comment').fill('Can we start on the 2nd?');
    await page.getByRole('button', { name: 'Send the comment' }).click();
    await eventually(async () => expect(await textOf(page.locator('.comments li'))).toContain('Can we start on the 2nd?'));
    await checkPage(page, 'quote', axeReport);
    await page.getByRole('button', { name: 'Accept the quote' }).click();
    await eventually(async () => expect(await textOf(page.getByRole('status').first())).toBe('The quote is accepted.'));
    expect(ok(await api.request('GET', `/v1/quotes/${quoteId}`)).body.status).toBe('accepted');

    await page.goto(`${api.url}/portal/documents/${invoiceId}`);
    await page.getByLabel('Amount (EUR)').fill('40.00');
    await page.getByLabel('Reference (for example the transfer number)').fill('TRX-1');
    await checkPage(page, 'invoice', axeReport);
    await page.getByRole('button', { name: 'Record the payment' }).click();
    await eventually(async () => expect(await textOf(page.getByRole('status').first())).toBe('The payment is recorded.'));
    expect(ok(await api.request('GET', `/v1/invoices/${invoiceId}`)).body).toMatchObject({ paid: '40.00', balance: '60.00' });

    // Another language: the page, and the person's preference from now on.
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('button', { name: 'Change' }).click();
    await eventually(async () => expect(await page.locator('html').getAttribute('lang')).toBe('fr'));
    await eventually(async () => expect(await page.getByRole('heading', { name: 'Paiements' }).isVisible()).toBe(true));
    await page.goto(`${api.url}/portal`);
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe(`Bonjour, ${person.name}`));
    await checkPage(page, 'landing-fr', axeReport);
    await context.close();
  });

  it('says plainly that an expired invitation cannot be used, and what to do', async () => {
    const expiring = await startApp({ ORGANIZATION_NAME: 'Agência Dois', INVITE_TTL_SECONDS: '0' });
    try {
      const clientId = ok(await expiring.request('POST', '/v1/clients', { name: 'Beta Ltda' }), 201).body.id;
      const email = `bia-${randomUUID()}@beta.example`;
      const contactId = ok(await expiring.request('POST', `/v1/clients/${clientId}/contacts`, { name: 'Bia Lima', email }), 201).body.id;
      ok(await expiring.request('POST', `/v1/contacts/${contactId}/portal-access/invite`, { language: 'pt-BR' }));
      const message = (await expiring.outbox()).find((m) => m.content.includes(email))!;
      const link = new URL(/https?:\/\/\S*\/portal\/accept-invitation\?token=[A-Za-z0-9_-]+/.exec(message.content)![0]);
      const { context, page } = await newContext();
      const response = await page.goto(`${expiring.url}${link.pathname}${link.search}`);
      expect(response!.status()).toBe(410);
      expect(page.url()).toBe(`${expiring.url}/portal/accept-invitation`);
      await eventually(async () => expect(await page.locator('html').getAttribute('lang')).toBe('pt-BR'));
      await eventually(async () => expect(await textOf(page.locator('h1'))).toBe('Este convite expirou'));
      await eventually(async () => expect(await textOf(page.locator('main'))).toContain('Peça a Agência Dois que envie um novo convite.'));
      expect(await page.content()).not.toContain(link.searchParams.get('token')!);
      await checkPage(page, 'invitation-expired', axeReport);
      await context.close();
    } finally {
      await expiring.close();
      removeDataDir(expiring.dataDir);
    }
  });

  it('resets a forgotten password from the emailed link, then signs out and in again', async () => {
    const { context, page } = await newContext();
    await page.goto(`${api.url}/portal/sign-in`);
    await checkPage(page, 'sign-in', axeReport);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe('Forgot your password?'));
    await checkPage(page, 'forgot-password', axeReport);
    await page.getByLabel('Email address').fill(person.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe('Check your email'));

    await waitForEmail(person.email, 'reset-password?token=');
    await page.goto(await linkFromOutbox(person.email, 'reset-password?token='));
    expect(page.url()).toBe(`${api.url}/portal/reset-password`);
    // In the person's own language (French since the last test), not the browser's.
    await eventually(async () => expect(await page.locator('html').getAttribute('lang')).toBe('fr'));
    await eventually(async () => expect(await textOf(page.locator('main'))).toContain(`Pour le compte ${person.email}.`));
    await checkPage(page, 'reset-password', axeReport);
    await page.getByLabel('Nouveau mot de passe').fill(NEW_PASSWORD);
    await page.getByLabel('Répétez le mot de passe').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Enregistrer le mot de passe et se connecter' }).click();
    await page.waitForURL(`${api.url}/portal?notice=password-changed`);
    await eventually(async () => expect(await textOf(page.locator('main .banner.notice'))).toBe('Votre mot de passe a été modifié.'));

    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(`${api.url}/portal/sign-in?notice=signed-out`);
    await eventually(async () => expect(await textOf(page.getByRole('status'))).toBe('Vous êtes déconnecté.'));
    // The old password no longer signs in; the new one does.
    await page.getByLabel('Adresse e-mail').fill(person.email);
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await eventually(async () => expect(await textOf(page.locator('#problem'))).toContain('L’adresse e-mail ou le mot de passe est incorrect'));
    await eventually(async () => expect(await page.getByLabel('Adresse e-mail').inputValue()).toBe(person.email));
    await page.getByLabel('Mot de passe', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(`${api.url}/portal`);
    await eventually(async () => expect(await textOf(page.locator('h1'))).toBe(`Bonjour, ${person.name}`));
    await context.close();
  });

  it('shows an auditor the timeline of a contact, with the key kept for this tab only', async () => {
    const auditorKey = ok(await api.request('POST', '/v1/api-keys', { name: 'Auditor', role: 'auditor' }), 201).body.key as string;
    const { context, page } = await newContext();
    await page.goto(`${api.url}/audit`);
    await checkPage(page, 'audit', axeReport);
    await page.getByLabel('Auditor or admin API key').fill('cpk_not-a-key');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await eventually(async () => expect(await textOf(page.locator('#audit-key-error'))).toContain('refused'));
    await page.getByLabel('Auditor or admin API key').fill(auditorKey);
    await page.getByRole('button', { name: 'Use this key' }).click();

    await page.getByLabel('Name, email address or id').fill('souza');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: new RegExp(`Contact: ${person.name}`) }).click();
    await eventually(async () => expect(await textOf(page.locator('#subject-title'))).toBe(`Contact: ${person.name}`));
    const timeline = page.locator('#timeline');
    await eventually(async () => expect(await timeline.locator('[data-event-type="InvitationAccepted"]').count()).toBe(1));
    await eventually(async () => expect(await timeline.locator('[data-event-type="ContactInvited"]').count()).toBe(1));
    // Who, through which channel: the portal user is named by its username.
    await eventually(async () => expect(await textOf(timeline.locator('[data-event-type="InvitationAccepted"] .event-meta'))).toContain(`Portal user ${person.email}`));
    await eventually(async () => expect(await textOf(timeline.locator('[data-event-type="InvitationAccepted"] .event-meta'))).toContain('Channel: portal'));
    // This server verifies histories and answers them as of a moment: the page offers both.
    await eventually(async () => expect(await page.locator('#verify').isVisible()).toBe(true));
    await eventually(async () => expect(await page.locator('#as-of-form').isVisible()).toBe(true));
    await page.locator('#verify-button').click();
    await eventually(async () => expect(await textOf(page.locator('#verify-result'))).toBe('Verified: no stored event was altered.'));
    await checkPage(page, 'audit-timeline', axeReport);

    // Related subjects lead on: the contact's company, then its documents' histories.
    await page.locator('#related').getByRole('button', { name: /Company: Acme Logistics/ }).click();
    await eventually(async () => expect(await textOf(page.locator('#subject-title'))).toBe('Company: Acme Logistics'));
    await page.locator('#related').getByRole('button', { name: /Quote: Quote Q-42/ }).click();
    await eventually(async () => expect(await textOf(page.locator('#subject-title'))).toBe('Quote: Quote Q-42'));
    await eventually(async () => expect(await timeline.locator('[data-event-type="QuoteShared"]').count()).toBe(1));
    await eventually(async () => expect(await timeline.locator('[data-event-type="QuoteAccepted"]').count()).toBe(1));
    expect(await timeline.locator('[data-event-type="ContactAdded"]').count()).toBe(0);

    // The key: in this tab's sessionStorage, kept across a reload, unknown to another tab.
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([auditorKey]);
    await page.reload();
    await eventually(async () => expect(await page.locator('#search-section').isVisible()).toBe(true));
    await eventually(async () => expect(await textOf(page.locator('#subject-title'))).toBe('Quote: Quote Q-42'));
    const other = await context.newPage();
    await other.goto(`${api.url}/audit`);
    await eventually(async () => expect(await other.locator('#key-section').isVisible()).toBe(true));
    await page.getByRole('button', { name: 'Forget the key' }).click();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await context.close();
  });

  it('shows the as-of view and the verify button where the server documents them, and hides verify on a 404', async () => {
    const auditorKey = ok(await api.request('POST', '/v1/api-keys', { name: 'Auditor 2', role: 'auditor' }), 201).body.key as string;
    const { context, page } = await newContext();
    const openapi = ok(await api.request('GET', '/docs/openapi.json')).body;
    openapi.paths['/v1/audit/verify'] = { get: { parameters: [{ name: 'subjectId', in: 'query' }] } };
    openapi.paths['/v1/audit'].get.parameters.push({ name: 'asOf', in: 'query' });
    await page.route('**/docs/openapi.json', (route) => route.fulfill({ json: openapi }));
    const asked: string[] = [];
    await page.route('**/v1/audit?*', (route) => {
      asked.push(route.request().url());
      return route.continue({ url: route.request().url().replace(/&asOf=[^&]*/, '') });
    });
    await page.route('**/v1/audit/verify*', (route) => route.fulfill({ status: 404, json: { type: '/problems/not-found', status: 404 } }));
    await page.goto(`${api.url}/audit#subject=${person.contactId}`);
    await page.getByLabel('Auditor or admin API key').fill(auditorKey);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await eventually(async () => expect(await textOf(page.locator('#subject-title'))).toBe(`Contact: ${person.name}`));
    await eventually(async () => expect(await page.locator('#verify').isVisible()).toBe(true));
    await eventually(async () => expect(await page.locator('#as-of-form').isVisible()).toBe(true));
    await page.getByLabel('As of').fill('2030-01-01T00:00:00');
    await page.getByRole('button', { name: 'Show the history up to this moment' }).click();
    await eventually(() => expect(asked.some((url) => url.includes('asOf=2030-01-01'))).toBe(true));
    await page.getByRole('button', { name: 'Verify the stored history' }).click();
    await eventually(async () => expect(await page.locator('#verify').isVisible()).toBe(false));
    await context.close();
  });

  it('sent no Referer anywhere, and no page logged an error (a CSP violation would)', () => {
    expect(referers).toEqual([]);
    expect(problems).toEqual([]);
  });
});
