import { randomUUID } from 'node:crypto';
import { defaultPortalId, nameBasedUuid } from '@app/domain';
import { removeDataDir, startApp, TestApp } from '../support/app';
import { expectProblem } from '../support/problems';

/** Portals, invitation templates and user types end to end over real HTTP. */
describe('portals (e2e)', () => {
  let api: TestApp;
  let other: { id: string; adminKey: string };
  const MAX_PORTALS = 3;
  const MAX_USER_TYPES = 2;
  const OPERATOR = '00000000-0000-4000-8000-000000000001';

  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  const uniqueSlug = (stem = 'p') => `${stem}-${randomUUID().slice(0, 8)}`;
  const template = {
    subject: 'Welcome to {{organizationName}}, {{contactName}}',
    body: 'Hello {{contactName}},\n\nYour portal: {{portalUrl}}\nUsername: {{username}}\nAccept: {{acceptUrl}} (until {{ expiresAt }})',
  };

  /** Refused as problem+json with that status and type, and nothing written. */
  const refused = (method: string, path: string, body: unknown, status: number, type?: string, key = api.apiKey) =>
    expectProblem(api, () => api.request(method, path, body, as(key)), { status, type, request: { method, path } });

  /** A fresh organization (its own portal limit): its admin key. */
  async function newOrganization(name = `Org ${randomUUID().slice(0, 8)}`): Promise<string> {
    const created = await api.request('POST', '/v1/organizations', { name });
    expect(created.status).toBe(201);
    return created.body.adminKey;
  }

  beforeAll(async () => {
    api = await startApp({ MAX_PORTALS: String(MAX_PORTALS), MAX_USER_TYPES_PER_PORTAL: String(MAX_USER_TYPES), ORGANIZATION_NAME: 'Operator Staffing' });
    const created = await api.request('POST', '/v1/organizations', { name: 'Tokyo Staffing KK', timeZone: 'Asia/Tokyo' });
    expect(created.status).toBe(201);
    other = created.body;
  });
  afterAll(async () => {
    await api.close();
    removeDataDir(api.dataDir);
  });

  describe('default portal', () => {
    it('exists for every organization, named after it, slug from the name, self-registration off, English', async () => {
      const operator = await api.request('GET', `/v1/portals/${defaultPortalId(OPERATOR)}`);
      expect(operator.status).toBe(200);
      expect(operator.body).toEqual({
        id: defaultPortalId(OPERATOR),
        organizationId: OPERATOR,
        name: 'Operator Staffing',
        slug: 'operator-staffing',
        selfRegistration: false,
        defaultLanguage: 'en',
        isDefault: true,
        templates: {},
        userTypes: [],
      });
      expect(defaultPortalId(other.id)).toBe(nameBasedUuid(`default-portal:${other.id}`));
      const tokyo = await api.request('GET', `/v1/portals/${defaultPortalId(other.id)}`, undefined, as(other.adminKey));
      expect(tokyo.body).toMatchObject({ id: defaultPortalId(other.id), organizationId: other.id, name: 'Tokyo Staffing KK', slug: 'tokyo-staffing-kk', isDefault: true });
    });

    it('gets a suffixed slug when its name’s slug is taken, and a usable one from a name without Latin letters', async () => {
      const twin = await api.request('POST', '/v1/organizations', { name: 'Tokyo Staffing KK' });
      const portal = await api.request('GET', `/v1/portals/${defaultPortalId(twin.body.id)}`, undefined, as(twin.body.adminKey));
      expect(portal.body.slug).toMatch(/^tokyo-staffing-kk-[0-9a-f]{6}$/);
      const japanese = await api.request('POST', '/v1/organizations', { name: '東京スタッフ株式会社' });
      const jp = await api.request('GET', `/v1/portals/${defaultPortalId(japanese.body.id)}`, undefined, as(japanese.body.adminKey));
      expect(jp.body).toMatchObject({ name: '東京スタッフ株式会社', slug: expect.stringMatching(/^portal-[0-9a-f]{6}$/) });
    });
  });

  describe('create and update', () => {
    it('creates a portal (201) with defaults, lists it, and changes it', async () => {
      const slug = uniqueSlug('acme');
      const created = await api.request('POST', '/v1/portals', { slug });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Operator Staffing', slug, selfRegistration: false, defaultLanguage: 'en', isDefault: false, templates: {}, userTypes: [] });
      expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.body.position).toEqual(expect.any(Number));

      const changed = await api.request('PATCH', `/v1/portals/${created.body.id}`, { name: 'Acme clients', selfRegistration: true, defaultLanguage: 'pt-BR' });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ name: 'Acme clients', slug, selfRegistration: true, defaultLanguage: 'pt-BR' });
      expect(changed.body.position).toBeGreaterThan(created.body.position);

      const again = await api.request('PATCH', `/v1/portals/${created.body.id}`, { name: 'Acme clients' });
      expect(again.status).toBe(200);
      expect(again.body.position).toBe(changed.body.position);

      const list = await api.request('GET', `/v1/portals?minPosition=${changed.body.position}`);
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: defaultPortalId(OPERATOR), isDefault: true, slug: 'operator-staffing' }),
          expect.objectContaining({ id: created.body.id, name: 'Acme clients', slug, selfRegistration: true, defaultLanguage: 'pt-BR', templateLanguages: [], userTypes: [] }),
        ]),
      );
      const mine = await api.request('GET', `/v1/portals?minPosition=${changed.body.position}`, undefined, as(other.adminKey));
      expect(mine.body.items.map((p: { id: string }) => p.id)).toEqual([defaultPortalId(other.id)]);
    });

    it('derives the slug from the name when none is given', async () => {
      const name = `Globex ${randomUUID().slice(0, 6)}`;
      const created = await api.request('POST', '/v1/portals', { name });
      expect(created.status).toBe(201);
      expect(created.body.slug).toBe(name.toLowerCase().replace(' ', '-'));
    });

    it('refuses invalid slugs, names, languages and unknown fields with 422, writing nothing', async () => {
      for (const slug of ['ab', 'Acme', 'acme_co', '-acme', 'acme-', 'ac--me', 'api', 'admin', 'docs', 'www', 'portal', 'x'.repeat(64)]) {
        const response = await refused('POST', '/v1/portals', { slug }, 422);
        expect(['/problems/invalid-slug', '/problems/validation-failed']).toContain(response.body.type);
      }
      await refused('POST', '/v1/portals', { slug: uniqueSlug(), defaultLanguage: 'xx-YY-zz' }, 422, 'unknown-language');
      await refused('POST', '/v1/portals', { slug: uniqueSlug(), name: '' }, 422, 'validation-failed');
      await refused('POST', '/v1/portals', { slug: uniqueSlug(), selfRegistration: 'yes' }, 422, 'validation-failed');
      await refused('POST', '/v1/portals', { slug: uniqueSlug(), colour: 'blue' }, 422, 'validation-failed');
      await refused('PATCH', `/v1/portals/${defaultPortalId(OPERATOR)}`, { slug: 'A B' }, 422, 'invalid-slug');
      await refused('PATCH', `/v1/portals/${defaultPortalId(OPERATOR)}`, { defaultLanguage: 'english' }, 422, 'unknown-language');
      await refused('POST', '/v1/portals', { slug: null }, 422, 'validation-failed');
      await refused('POST', '/v1/portals', { slug: uniqueSlug(), name: null }, 422, 'validation-failed');
      await refused('PATCH', `/v1/portals/${defaultPortalId(OPERATOR)}`, { name: null }, 422, 'validation-failed');
      await refused('PATCH', `/v1/portals/${defaultPortalId(OPERATOR)}`, { selfRegistration: null }, 422, 'validation-failed');
      await refused('POST', '/v1/portals', '{"slug": ', 400);
      await refused('POST', '/v1/portals', '[]', 422);
    });

    it('keeps slugs unique across organizations (409 slug-taken), and frees an old slug for its own organization only', async () => {
      const slug = uniqueSlug('shared');
      const key = await newOrganization();
      const mine = await api.request('POST', '/v1/portals', { slug, name: 'Mine' }, as(key));
      expect(mine.status).toBe(201);
      await refused('POST', '/v1/portals', { slug }, 409, 'slug-taken', other.adminKey);
      await refused('PATCH', `/v1/portals/${defaultPortalId(other.id)}`, { slug }, 409, 'slug-taken', other.adminKey);
      await refused('PATCH', `/v1/portals/${defaultPortalId(OPERATOR)}`, { slug }, 409, 'slug-taken');
      await refused('POST', '/v1/portals', { slug: 'tokyo-staffing-kk' }, 409, 'slug-taken', key);

      // The portal moves to a new slug: the old one is free again, within its organization.
      const moved = await api.request('PATCH', `/v1/portals/${mine.body.id}`, { slug: `${slug}-new` }, as(key));
      expect(moved.status).toBe(200);
      expect(moved.body.slug).toBe(`${slug}-new`);
      await refused('PATCH', `/v1/portals/${defaultPortalId(other.id)}`, { slug }, 409, 'slug-taken', other.adminKey);
      const back = await api.request('PATCH', `/v1/portals/${mine.body.id}`, { slug }, as(key));
      expect(back.status).toBe(200);
      expect(back.body.slug).toBe(slug);
    });

    it('answers 404 for another organization’s portal on every route, and for ids that are not portals', async () => {
      const target = defaultPortalId(OPERATOR);
      const key = other.adminKey;
      await refused('GET', `/v1/portals/${target}`, undefined, 404, 'portal-not-found', key);
      await refused('PATCH', `/v1/portals/${target}`, { name: 'Mine now' }, 404, 'portal-not-found', key);
      await refused('PUT', `/v1/portals/${target}/templates/en`, template, 404, 'portal-not-found', key);
      await refused('DELETE', `/v1/portals/${target}/templates/en`, undefined, 404, 'portal-not-found', key);
      await refused('POST', `/v1/portals/${target}/user-types`, { name: 'Viewer', modules: {} }, 404, 'portal-not-found', key);
      await refused('PATCH', `/v1/portals/${target}/user-types/${randomUUID()}`, { name: 'X' }, 404, 'portal-not-found', key);
      await refused('GET', `/v1/portals/${target}/preview?userTypeId=${randomUUID()}`, undefined, 404, 'portal-not-found', key);
      await refused('GET', `/v1/portals/${randomUUID()}`, undefined, 404, 'portal-not-found');
      await refused('GET', '/v1/portals/not-a-uuid', undefined, 404);
      const list = await api.request('GET', '/v1/portals', undefined, as(key));
      expect(JSON.stringify(list.body)).not.toContain(target);
    });

    it('limits the portals of an organization (409 portal-limit-reached), counting the default one', async () => {
      const org = await api.request('POST', '/v1/organizations', { name: `Limited ${randomUUID().slice(0, 6)}` });
      const key = org.body.adminKey as string;
      for (let i = 1; i < MAX_PORTALS; i++) {
        expect((await api.request('POST', '/v1/portals', { slug: uniqueSlug('lim') }, as(key))).status).toBe(201);
      }
      const response = await refused('POST', '/v1/portals', { slug: uniqueSlug('lim') }, 409, 'portal-limit-reached', key);
      expect(response.body).toMatchObject({ limit: MAX_PORTALS, detail: expect.stringContaining(`${MAX_PORTALS}`) });
      // The slug it asked for was not kept.
      const slug = uniqueSlug('free');
      await refused('POST', '/v1/portals', { slug }, 409, 'portal-limit-reached', key);
      expect((await api.request('PATCH', `/v1/portals/${defaultPortalId(other.id)}`, { slug }, as(other.adminKey))).status).toBe(200);
    });

    it('needs an admin key to change portals; agents and reporters read them', async () => {
      const agent = (await api.request('POST', '/v1/api-keys', { name: 'agent', role: 'agent' })).body.key;
      const reporter = (await api.request('POST', '/v1/api-keys', { name: 'reporter', role: 'reporter' })).body.key;
      await refused('POST', '/v1/portals', { slug: uniqueSlug() }, 403, undefined, agent);
      await refused('PUT', `/v1/portals/${defaultPortalId(OPERATOR)}/templates/en`, template, 403, undefined, reporter);
      expect((await api.request('GET', `/v1/portals/${defaultPortalId(OPERATOR)}`, undefined, as(agent))).status).toBe(200);
      expect((await api.request('GET', '/v1/portals', undefined, as(reporter))).status).toBe(200);
      expect((await api.request('GET', '/v1/portals', undefined, { authorization: '' })).status).toBe(401);
    });
  });

  describe('invitation templates', () => {
    let portalId: string;
    let key: string;
    const call = (method: string, path: string, body?: unknown) => api.request(method, path, body, as(key));
    beforeAll(async () => {
      key = await newOrganization();
      portalId = (await call('POST', '/v1/portals', { slug: uniqueSlug('tpl'), name: 'Templates' })).body.id;
    });

    it('are saved per language (en, ja, pt-BR, fr), replaced, and read back', async () => {
      for (const language of ['en', 'ja', 'pt-BR', 'fr']) {
        const saved = await call('PUT', `/v1/portals/${portalId}/templates/${language}`, { ...template, subject: `${language}: ${template.subject}` });
        expect({ language, status: saved.status }).toEqual({ language, status: 200 });
        expect(saved.body.templates[language]).toEqual({ subject: `${language}: ${template.subject}`, body: template.body });
      }
      const replaced = await call('PUT', `/v1/portals/${portalId}/templates/ja`, { subject: 'ようこそ {{contactName}} 様', body: '{{acceptUrl}}' });
      expect(replaced.body.templates.ja).toEqual({ subject: 'ようこそ {{contactName}} 様', body: '{{acceptUrl}}' });
      const same = await call('PUT', `/v1/portals/${portalId}/templates/ja`, { subject: 'ようこそ {{contactName}} 様', body: '{{acceptUrl}}' });
      expect(same.body.position).toBe(replaced.body.position);

      const portal = await call('GET', `/v1/portals/${portalId}`);
      expect(Object.keys(portal.body.templates).sort()).toEqual(['en', 'fr', 'ja', 'pt-BR']);
      const list = await call('GET', `/v1/portals?minPosition=${same.body.position}`);
      expect(list.body.items.find((p: { id: string }) => p.id === portalId).templateLanguages).toEqual(['en', 'fr', 'ja', 'pt-BR']);

      const removed = await call('DELETE', `/v1/portals/${portalId}/templates/fr`);
      expect(removed.status).toBe(200);
      expect(Object.keys(removed.body.templates).sort()).toEqual(['en', 'ja', 'pt-BR']);
      await refused('DELETE', `/v1/portals/${portalId}/templates/fr`, undefined, 404, 'template-not-found', key);
    });

    it('refuse unknown placeholders (422, naming them) and write nothing', async () => {
      const response = await refused(
        'PUT',
        `/v1/portals/${portalId}/templates/en`,
        { subject: 'Hi {{firstName}}', body: 'Accept at {{acceptUrl}}, password {{password}}' },
        422,
        'unknown-placeholder',
        key,
      );
      expect(response.body.placeholders).toEqual(['firstName', 'password']);
      expect(response.body.errors).toEqual([
        { field: 'subject', message: 'unknown placeholder {{firstName}}' },
        { field: 'body', message: 'unknown placeholder {{password}}' },
      ]);
      const portal = await call('GET', `/v1/portals/${portalId}`);
      expect(portal.body.templates.en).toEqual({ subject: `en: ${template.subject}`, body: template.body });
    });

    it('refuse unknown languages, bad templates and bad bodies', async () => {
      for (const language of ['xx', 'english', 'pt-br', 'EN', 'en_US']) {
        await refused('PUT', `/v1/portals/${portalId}/templates/${language}`, template, 422, 'unknown-language', key);
      }
      await refused('PUT', `/v1/portals/${portalId}/templates/en`, { subject: 'Hi', body: 'No link here' }, 422, 'accept-url-required', key);
      await refused('PUT', `/v1/portals/${portalId}/templates/en`, { subject: 'Hi {{contactName', body: '{{acceptUrl}}' }, 422, 'malformed-placeholder', key);
      await refused('PUT', `/v1/portals/${portalId}/templates/en`, { subject: 'Hi\nBcc: x@evil.example', body: '{{acceptUrl}}' }, 422, 'invalid-template', key);
      await refused('PUT', `/v1/portals/${portalId}/templates/en`, { subject: 'Hi' }, 422, 'validation-failed', key);
      await refused('PUT', `/v1/portals/${portalId}/templates/en`, { ...template, html: '<p>' }, 422, 'validation-failed', key);
      await refused('PUT', `/v1/portals/${portalId}/templates/en`, { subject: 'Hi', body: 'x'.repeat(20_001) }, 422, 'validation-failed', key);
    });
  });

  describe('user types and preview', () => {
    let portalId: string;
    let key: string;
    const call = (method: string, path: string, body?: unknown) => api.request(method, path, body, as(key));
    beforeAll(async () => {
      key = await newOrganization();
      portalId = (await call('POST', '/v1/portals', { slug: uniqueSlug('ut'), name: 'User types' })).body.id;
    });

    it('are defined (201) with permissions per module, up to the limit, and previewed', async () => {
      const approver = await call('POST', `/v1/portals/${portalId}/user-types`, {
        name: 'Timesheet approver',
        modules: { timesheets: { view: true, create: true, edit: true, delete: false, approve: false }, documents: { view: true }, shifts: { view: false, create: false, edit: false, delete: false, approve: false } },
      });
      expect(approver.status).toBe(201);
      expect(approver.body).toMatchObject({
        portalId,
        name: 'Timesheet approver',
        modules: {
          shifts: { view: false, create: false, edit: false, delete: false, approve: false },
          timesheets: { view: true, create: true, edit: true, delete: false, approve: false },
          quotes: { view: false, create: false, edit: false, delete: false, approve: false },
          invoices: { view: false, create: false, edit: false, delete: false, approve: false },
          projects: { view: false, create: false, edit: false, delete: false, approve: false },
          documents: { view: true, create: false, edit: false, delete: false, approve: false },
        },
      });

      const preview = await call('GET', `/v1/portals/${portalId}/preview?userTypeId=${approver.body.id}`);
      expect(preview.status).toBe(200);
      expect(preview.body).toEqual({
        portalId,
        userType: { id: approver.body.id, name: 'Timesheet approver' },
        modules: [
          { module: 'profile', actions: ['view', 'edit'] },
          { module: 'timesheets', actions: ['view', 'create', 'edit'] },
          { module: 'documents', actions: ['view'] },
        ],
      });

      await refused('POST', `/v1/portals/${portalId}/user-types`, { name: 'timesheet APPROVER', modules: {} }, 409, 'user-type-name-taken', key);
      const viewer = await call('POST', `/v1/portals/${portalId}/user-types`, { name: 'Viewer', modules: {} });
      expect(viewer.status).toBe(201);
      const limited = await refused('POST', `/v1/portals/${portalId}/user-types`, { name: 'Third', modules: {} }, 409, 'user-type-limit-reached', key);
      expect(limited.body.limit).toBe(MAX_USER_TYPES);

      const onlyProfile = await call('GET', `/v1/portals/${portalId}/preview?userTypeId=${viewer.body.id}`);
      expect(onlyProfile.body.modules).toEqual([{ module: 'profile', actions: ['view', 'edit'] }]);

      const changed = await call('PATCH', `/v1/portals/${portalId}/user-types/${viewer.body.id}`, { name: 'Invoice payer', modules: { invoices: { view: true, edit: true } } });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ id: viewer.body.id, name: 'Invoice payer', modules: { invoices: { view: true, create: false, edit: true, delete: false, approve: false } } });
      const after = await call('GET', `/v1/portals/${portalId}/preview?userTypeId=${viewer.body.id}`);
      expect(after.body.modules).toEqual([{ module: 'profile', actions: ['view', 'edit'] }, { module: 'invoices', actions: ['view', 'edit'] }]);

      const portal = await call('GET', `/v1/portals/${portalId}`);
      expect(portal.body.userTypes.map((t: { name: string }) => t.name)).toEqual(['Timesheet approver', 'Invoice payer']);
      const list = await call('GET', `/v1/portals?minPosition=${changed.body.position}`);
      expect(list.body.items.find((p: { id: string }) => p.id === portalId).userTypes.map((t: { id: string; name: string }) => [t.id, t.name])).toEqual([
        [approver.body.id, 'Timesheet approver'],
        [viewer.body.id, 'Invoice payer'],
      ]);
    });

    it('refuse bad modules, actions and permissions with 422, writing nothing', async () => {
      const path = `/v1/portals/${portalId}/user-types`;
      await refused('POST', path, { name: 'X', modules: { payroll: { view: true } } }, 422, 'validation-failed', key);
      await refused('POST', path, { name: 'X', modules: { shifts: { publish: true } } }, 422, 'validation-failed', key);
      await refused('POST', path, { name: 'X', modules: { shifts: { view: 'yes' } } }, 422, 'validation-failed', key);
      await refused('POST', path, { name: 'X', modules: { shifts: true } }, 422, 'validation-failed', key);
      await refused('POST', path, { name: 'X', modules: { shifts: null } }, 422, 'validation-failed', key);
      await refused('POST', path, { name: 'X', modules: { shifts: { view: null } } }, 422, 'validation-failed', key);
      await refused('POST', path, { name: 'X', modules: null }, 422, 'validation-failed', key);
      await refused('POST', path, { name: 'X', modules: [] }, 422, 'validation-failed', key);
      await refused('POST', path, { name: 'X', modules: { quotes: { create: true } } }, 422, 'permission-needs-view', key);
      await refused('POST', path, { name: 'X' }, 422, 'validation-failed', key);
      await refused('POST', path, { name: '', modules: {} }, 422, 'validation-failed', key);
      await refused('POST', path, { modules: {} }, 422, 'validation-failed', key);
      await refused('PATCH', `${path}/${randomUUID()}`, { name: 'X' }, 404, 'user-type-not-found', key);
    });

    it('preview refuses an unknown or missing user type', async () => {
      await refused('GET', `/v1/portals/${portalId}/preview?userTypeId=${randomUUID()}`, undefined, 422, 'unknown-user-type', key);
      await refused('GET', `/v1/portals/${portalId}/preview`, undefined, 422, 'validation-failed', key);
      await refused('GET', `/v1/portals/${portalId}/preview?userTypeId=nope`, undefined, 422, 'validation-failed', key);
    });
  });

  describe('history', () => {
    it('records every change as a past-tense event with who did it', async () => {
      const created = await api.request('POST', '/v1/portals', { slug: uniqueSlug('audit') }, as(other.adminKey));
      expect(created.status).toBe(201);
      const saved = await api.request('PUT', `/v1/portals/${created.body.id}/templates/en`, template, as(other.adminKey));
      const audit = await api.request('GET', `/v1/audit?subjectId=${created.body.id}&minPosition=${saved.body.position}`, undefined, as(other.adminKey));
      expect(audit.status).toBe(200);
      expect(audit.body.items.map((i: { type: string }) => i.type)).toEqual(expect.arrayContaining(['PortalCreated', 'InvitationTemplateSaved']));
      expect(audit.body.items.find((i: { type: string }) => i.type === 'PortalCreated')).toMatchObject({ actor: { kind: 'staff' }, channel: 'api' });
    });
  });
});
